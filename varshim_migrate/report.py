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
        return "\n".join(lines) + "\n"
