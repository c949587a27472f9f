"""The report page's style sheet: inline, so the page needs no other file."""

from __future__ import annotations

from typing import Final

__all__ = ["STYLE"]

STYLE: Final = """
:root { color-scheme: light; --ink: #1f2328; --quiet: #59636e; --line: #d1d9e0;
  --bad: #cf222e; --bad-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --ok: #1a7f37; --ok-bg: #dafbe1; --moved: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px 32px 48px;
  font: 14px/1.45 -apple-system, "Segoe UI", "Liberation Sans", Helvetica, Arial, sans-serif;
  color: var(--ink); background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 6px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; }
code { font: 12.5px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
header p { margin: 4px 0; }
.trace code { font-size: 14px; color: var(--quiet); }
#verdict { display: inline-block; padding: 4px 12px; border-radius: 6px; font-weight: 600; }
#verdict.failed { color: var(--bad); background: var(--bad-bg); }
#verdict.ok { color: var(--ok); background: var(--ok-bg); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
  border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: #f6f8fa; }
td.count { text-align: right; font-variant-numeric: tabular-nums; width: 4em; }
#summary-table tr.violation td:first-child { border-left: 4px solid var(--bad); }
#summary-table tr.warning td:first-child { border-left: 4px solid var(--warn); }
section.call { margin: 20px 0 32px; padding: 16px 18px; border: 1px solid var(--line);
  border-left: 5px solid var(--bad); border-radius: 6px; }
.outcome { font-weight: 600; margin: 0 0 8px; }
table.timeline td:first-child { width: 3.5em; font-variant-numeric: tabular-nums;
  color: var(--quiet); }
table.timeline tr.broken td { background: var(--bad-bg); }
table.timeline tr.same td { color: var(--quiet); }
ul.findings { margin: 0; padding: 0; list-style: none; }
ul.findings li.violation { color: var(--bad); }
ul.findings li.warning { color: var(--warn); }
.rule { font-weight: 600; }
.rule::after { content: ":"; }
figure.path { margin: 12px 0 0; overflow-x: auto; }
figure.path svg { max-width: 100%; height: auto; }
pre.mermaid-text { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
.note { color: var(--quiet); font-style: italic; }
p.ok { color: var(--ok); }
footer { margin-top: 40px; color: var(--quiet); font-size: 12px; }
"""
