"""The answer judge: free-text replies -> normalised answers -> verdicts."""

from drivecert import AnswerKind
from harness.judge._judge import JUDGES, Judge, JudgeKind, open_judge
from harness.judge._normalise import normalise_answer
from harness.judge._verdict import Verdict, judge_response

__all__ = [
    "JUDGES",
    "AnswerKind",
    "Judge",
    "JudgeKind",
    "Verdict",
    "judge_response",
    "normalise_answer",
    "open_judge",
]
