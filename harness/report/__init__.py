"""The run report: one self-contained ``report.html`` that shows what the model got wrong."""

from harness.report._gather import ReportData, gather
from harness.report._render import REPORT_FILE, content_security_policy, render_report, write_report

__all__ = [
    "REPORT_FILE",
    "ReportData",
    "content_security_policy",
    "gather",
    "render_report",
    "write_report",
]
