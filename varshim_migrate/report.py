"""The report `migrate` ends with (after tf_upgrade_v2's): what changed, what needs a human."""

import collections

from .rules import BY_CODE

__all__ = ["Report"]


class Report:
    def __init__(self, written):
        self.written = written
        self.files = 0
        self.changed = []
        self.applied = collections.Counter()
        self.human = []
        self.failures = []
        self.migrated = 0  # files with legacy idioms, all rewritten exactly: they run on plain torch
        self.still_legacy = []  # (path, why) of files that still need varshim at run time

    def add(self, path, migration):
        self.files += 1
        if migration.changed:
            self.changed.append(path)
        self.applied.update(migration.applied)
        for finding in migration.human:
            finding.path = finding.path or path
            self.human.append(finding)
        failure = migration.failure
        if failure is not None:
            failure.path = failure.path or path
            self.failures.append(failure)
        elif migration.needs_varshim:
            why = [f"{len(migration.human)} left for a human"] if migration.human else []
            why += [f"{code} is not bit-exact" for code in migration.inexact]
            self.still_legacy.append((path, ", ".join(why)))
        elif migration.findings:
            self.migrated += 1

    def fail(self, finding):
        self.files += 1
        self.failures.append(finding)

    @property
    def clean(self):
        return not (self.human or self.failures)

    def render(self):
        action = "rewritten" if self.written else "would be rewritten (diff above; --write applies it)"
        lines = [f"varshim migrate: {self.files} file(s) scanned, {len(self.changed)} {action}"]
        lines += [f"  {path}" for path in self.changed]
        if self.applied:
            lines.append("Idioms rewritten, per rule:")
            for code, count in sorted(self.applied.items()):
                rule = BY_CODE[code]
                lines.append(f"  {code} {count:5d}  {rule.title} -> {rule.modern}")
        if self.human:
            lines.append(f"Needs a human ({len(self.human)}), left unchanged:")
            for finding in self.human:
                lines.append(f"  {finding.format()}")
                if finding.suggestion:
                    lines.append(f"      suggested: {finding.suggestion}")
        if self.failures:
            lines.append(f"Failed to parse ({len(self.failures)}), left unchanged:")
            lines += [f"  {finding.format()}" for finding in self.failures]
        done = "fully migrated" if self.written else "would be fully migrated"
        lines.append(f"{self.migrated} file(s) {done} (plain torch runs them), "
                     f"{len(self.still_legacy)} still need varshim at run time"
                     + (":" if self.still_legacy else ""))
        lines += [f"  {path} ({why})" for path, why in self.still_legacy]
        return "\n".join(lines) + "\n"
