"""Accessibility checks with axe-core, vendored in static/vendor/axe-core-<version>/.

`assert_no_serious_violations(page)` injects axe into the page the browser shows, runs it
on the whole document against the WCAG 2.0 and 2.1 level A and AA rules, and fails on
every violation of "serious" or "critical" impact, naming the rule, its help text and the
elements at fault.
"""

from pathlib import Path

STATIC_VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
AXE_VERSION = "4.14.1"
AXE_PATH = STATIC_VENDOR / f"axe-core-{AXE_VERSION}" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
TARGETS_SHOWN = 5


def run_axe(page, tags=WCAG_TAGS):
    """The full axe-core result for the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the static files, as a page's own script: the Content Security Policy
        # refuses a script injected inline.
        page.add_script_tag(url=f"/static/vendor/axe-core-{AXE_VERSION}/{AXE_PATH.name}")
    return page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        tags,
    )


def serious_violations(page):
    """The violations of serious or critical impact on the page."""
    results = run_axe(page)
    return [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(url, violations):
    lines = [f"{len(violations)} serious or critical axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({violation['helpUrl']})"
        )
        nodes = violation["nodes"]
        for node in nodes[:TARGETS_SHOWN]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    target: {target}")
            lines.append(f"      html: {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      why: {summary[:400]}")
        if len(nodes) > TARGETS_SHOWN:
            lines.append(f"    … and {len(nodes) - TARGETS_SHOWN} more element(s)")
    return "\n".join(lines)


def assert_no_serious_violations(page):
    violations = serious_violations(page)
    assert not violations, format_violations(page.url, violations)
