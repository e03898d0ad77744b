"""model:SPEC and rules+model:SPEC judges: the prompt, strict parsing, null on anything
else, caching; end to end on a tiny offline checkpoint (its words are random: the test
checks the plumbing, not what it says; ``tiny_spec`` is in conftest.py)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from drivecert import UsageError
from harness.judge import open_judge
from harness.judge.judges.model import JUDGE_PROMPT_REVISION, judge_prompt, parse_judgement


def test_the_judgement_is_parsed_strictly() -> None:
    assert parse_judgement(" Yes. ", "yes_no") == "yes"
    assert parse_judgement('"no"', "yes_no") == "no"
    assert parse_judgement("**Stop**", "action") == "stop"
    for loose in ("yes, because the light is red", "unclear", "maybe", "", "Yes No", None):
        assert parse_judgement(loose, "yes_no") is None
    assert parse_judgement("proceed", "yes_no") is None  # not an answer of this kind


def test_the_prompt_shows_the_question_the_reply_and_the_choices() -> None:
    prompt = judge_prompt("There is no traffic in my lane.", "yes_no", "Is there traffic?")
    assert "Question: Is there traffic?" in prompt and "Reply: There is no traffic" in prompt
    assert "yes, no, or unclear" in prompt
    assert "stop, yield, proceed" in judge_prompt("Brake now.", "action", None)


def test_a_model_judge_needs_a_model_spec() -> None:
    with pytest.raises(UsageError, match="a model judge needs a model spec"):
        open_judge("model:")
    with pytest.raises(UsageError, match=r"unknown model spec .nonsense:x."):
        open_judge("model:nonsense:x")


def test_a_tiny_checkpoint_judges_end_to_end_with_a_cache(tiny_spec: str, tmp_path: Path) -> None:
    # in a fresh process: torch loaded after another test's renders (llvmpipe) crashes this one
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(_judge_end_to_end, (tiny_spec, tmp_path))


def _judge_end_to_end(tiny_spec: str, tmp_path: Path) -> None:
    replies = [
        ("Yes.", "Is it necessary to stop here?"),
        ("It is hard to say from the image.", "Is it necessary to stop here?"),
        ("There is no traffic in my lane.", "Is there traffic in your lane?"),
    ]
    judge = open_judge(f"model:{tiny_spec}", tmp_path / "cache")
    assert judge.judge_id.startswith("model:") and JUDGE_PROMPT_REVISION in judge.revision
    first = [judge.read(reply, "yes_no", question) for reply, question in replies]
    assert all(answer in ("yes", "no", None) for answer in first)  # random words: mostly null
    assert judge.backend.queried == len(replies)  # type: ignore[attr-defined]
    again = open_judge(f"model:{tiny_spec}", tmp_path / "cache")
    assert [again.read(r, "yes_no", q) for r, q in replies] == first
    assert again.backend.queried == 0  # type: ignore[attr-defined]  # every judgement cached
    both = open_judge(f"rules+model:{tiny_spec}", tmp_path / "cache2")
    assert both.read("Yes.", "yes_no", "Is it necessary to stop here?") == "yes"
    assert both.asked == 0  # type: ignore[attr-defined]  # the rules read it
    both.read("It is hard to say from the image.", "yes_no", "Is it necessary to stop here?")
    assert both.asked == 1  # type: ignore[attr-defined]  # only the null went to the model
