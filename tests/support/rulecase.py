"""`RuleCase`: libcst's CodemodTest bound to one varshim rule, with idempotence built in."""

from libcst.codemod import CodemodContext, CodemodTest

from varshim_migrate import VarshimCodemod


class RuleCase(CodemodTest):
    TRANSFORM = VarshimCodemod
    CODE = ""

    def assertRewrite(self, before, after, warnings=None):
        """`before` becomes `after`; migrating `after` again changes nothing."""
        self.assertCodemod(before, after, codes=(self.CODE,), expected_warnings=warnings)
        self.assertCodemod(after, after, codes=(self.CODE,))

    def assertUnchanged(self, source, warnings=()):
        """Left as is; `warnings` are the needs-a-human prefixes (`VSnnn line N`), in order."""
        context = CodemodContext()
        self.assertCodemod(source, source, codes=(self.CODE,), context_override=context)
        self.assertEqual(list(warnings), [w.split(":")[0] for w in context.warnings])
