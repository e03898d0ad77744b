"""The answer judge: free-text replies -> normalised answers -> verdicts."""

from drivecert import AnswerKind
from harness.judge._judge import JUDGES, Judge, JudgeKind, Reader, check_judge, open_judge
from harness.judge._normalise import normalise_answer
from harness.judge._verdict import Verdict, judge_response

__all__ = [
    "JUDGES",
    "AnswerKind",
    "Judge",
    "JudgeKind",
    "Reader",
    "Verdict",
    "check_judge",
    "judge_response",
    "normalise_answer",
    "open_judge",
]
