"""The ``drivecert`` command line."""

from __future__ import annotations

import errno
import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from drivecert import ANSWERS, DrivecertError, UsageError, __version__, atomic_text, json_lines
from harness.judge import Judge, open_judge
from scenarios import get_scenario, list_scenarios

app = typer.Typer(
    name="drivecert",
    help="Certify how often a vision-language model answers driving questions unsafely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of any error (anywhere on the line)."),
    ] = False,
) -> None:
    """Certify how often a vision-language model answers driving questions unsafely."""
    del debug  # read by main() before the command runs


# Arguments that several commands share.
ScenarioArgument = Annotated[str, typer.Argument(help="Scenario name (see `drivecert scenarios`).")]
ConditionOption = Annotated[
    str | None,
    typer.Option(help="Fixed variables, e.g. weather=HardRainNoon,control=light_red."),
]
SeedOption = Annotated[int, typer.Option(min=0, help="Base seed.")]
StartOption = Annotated[int, typer.Option(min=0, help="Index of the first scene.")]


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


@app.command("scenarios")
def scenarios_command(
    name: Annotated[str | None, typer.Argument(help="Show one scenario in full.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    balance: Annotated[
        bool,
        typer.Option(
            "--balance",
            help="Print each question's spread of true answers, under the scenario's own "
            "distribution and per default condition.",
        ),
    ] = False,
    n: Annotated[int, typer.Option("--n", min=1, help="Scenes per distribution [400].")] = 400,
) -> None:
    """List scenarios with their condition variables and values."""
    chosen = [get_scenario(name)] if name else list_scenarios()
    if balance:
        print_balance(chosen, n)
        return
    if as_json:
        payload = [
            {
                "name": s.name,
                "summary": s.summary,
                "variables": {
                    v.name: {
                        "values": list(v.values),
                        "probabilities": None if v.derived else list(v.probabilities),
                        "derived": v.derived,
                        "description": v.description,
                    }
                    for v in s.variables
                },
                "default_grid": {k: list(v) for k, v in s.default_grid.items()},
                "observation_variables": _observation_values(),
                "rules": s.rules,
            }
            for s in chosen
        ]
        typer.echo(json.dumps(payload, indent=2))
        return
    console = Console()
    table = Table(title="drivecert scenarios", show_lines=True)
    table.add_column("scenario", style="bold")
    table.add_column("condition variables: values")
    table.add_column("default grid")
    for s in chosen:
        variables = "\n".join(
            f"{v.name}{' (derived)' if v.derived else ''}: {', '.join(v.values)}"
            for v in s.variables
        )
        grid = " x ".join(f"{k}[{len(v)}]" for k, v in s.default_grid.items())
        table.add_row(f"{s.name}\n[dim]{s.summary}[/dim]", variables, grid)
    console.print(table)
    console.print(_observation_line())
    if name:
        console.print(chosen[0].rules)
        _print_variants(console, chosen[0])


def _print_variants(console: Console, scenario: Any) -> None:
    """Each question's wordings: ``question_variant=p1`` ... and the synonym swaps."""
    from scenarios import SYNONYM_SWAPS

    table = Table(title=f"question variants of {scenario.name} (question_variant=...)")
    table.add_column("question")
    table.add_column("variant")
    table.add_column("wording")
    seen: dict[str, Any] = {}
    for index in range(50):  # texts that vary with the scene (left / right) show each once
        for q in scenario.ask(scenario.sample(None, index, 0)):
            seen.setdefault(q.text, q)
    for text, question in seen.items():
        table.add_row(question.id, "original", text)
        for k, variant in enumerate(question.variants, start=1):
            table.add_row("", f"p{k}", variant)
    console.print(table)
    swaps = "; ".join(f"swap:{w}->{o}" for w, others in SYNONYM_SWAPS.items() for o in others)
    console.print(f"synonym swaps (a question without the word is asked as it is): {swaps}")


def _observation_values() -> dict[str, list[str]]:
    """The observation variables' values, for ``scenarios --json``."""
    from harness.perturb import NO_CORRUPTION, corruption_names
    from scenarios import CORRUPTION, QUESTION_VARIANT, SEVERITY, SEVERITY_VALUES, variant_ids

    return {
        CORRUPTION: [NO_CORRUPTION, *corruption_names()],
        SEVERITY: list(SEVERITY_VALUES),
        QUESTION_VARIANT: variant_ids(5),
    }


def _observation_line() -> str:
    """The observation variables every scenario takes (how a scene is seen)."""
    values = _observation_values()
    return (
        "every scenario also takes "
        + "; ".join(f"{name}: {', '.join(v)}" for name, v in values.items())
        + " (a corrupted condition draws the clean condition's scenes)"
    )


def print_balance(chosen: list[Any], n: int) -> None:
    """Each question's true answers over ``n`` scenes of the scenario's own distribution,
    and in how many default conditions the truth never varies (expected for some: a red
    light always needs a stop), flagging a question constant over the whole distribution."""
    from scenarios import answer_balance

    console = Console()
    if not console.is_terminal:  # a pipe or file: keep question ids whole
        console = Console(width=max(console.width, 132))
    table = Table(title=f"true answers over {n} scenes per distribution", show_lines=False)
    columns = ("scenario", "question", "role", "own distribution", "constant in default conditions")
    for column in columns:
        table.add_column(column)
    for scenario in chosen:
        roles = {q.id: q for q in scenario.ask(scenario.sample(None, 0, 0))}
        overall = answer_balance(scenario, None, n)
        conditions = scenario.default_conditions()
        per = [answer_balance(scenario, c, n) for c in conditions]
        for qid, answers in overall.items():
            shares = ", ".join(f"{a} {100 * k / n:.0f}%" for a, k in answers.most_common())
            constant = sum(len(counts.get(qid, {})) == 1 for counts in per)
            flag = " [bold red]constant: answerable blind[/bold red]" if len(answers) == 1 else ""
            table.add_row(
                scenario.name,
                qid,
                roles[qid].role,
                shares + flag,
                f"{constant} of {len(conditions)}",
            )
    console.print(table)


@app.command("sample")
def sample_command(
    scenario: ScenarioArgument,
    condition: ConditionOption = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of scenes.")] = 10,
    seed: SeedOption = 0,
    start: StartOption = 0,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="JSONL file (default: stdout).")
    ] = None,
) -> None:
    """Draw scenes and write one JSON line each: the scene graph and its questions."""
    chosen = get_scenario(scenario)
    resolved = chosen.resolve_condition(condition)
    with atomic_text(out) as handle:
        for index in range(start, start + n):
            scene = chosen.sample(resolved, index, seed)
            record = {
                "scene": scene.to_dict(),
                "questions": [q.to_dict() for q in chosen.ask(scene)],
            }
            handle.write(_line(record))
            handle.flush()


@app.command("judge")
def judge_command(
    file: Annotated[
        Path | None,
        typer.Argument(help="JSONL with `kind` and `response` per line; - for stdin."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="JSONL file (default: stdout).")
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Measure the judge instead: JSONL of labelled replies (kind, question, "
            "response, label: an answer or null).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --labels: the report as JSON.")
    ] = False,
    judge: Annotated[
        str,
        typer.Option(
            "--judge",
            help="Which judge reads: rules (default), scripted:shy=R&bold=R, model:SPEC "
            "(any model spec) or rules+model:SPEC (the model only where the rules read null).",
        ),
    ] = "rules",
    judge_cache: Annotated[
        Path | None,
        typer.Option("--judge-cache", help="Folder caching a model judge's judgements."),
    ] = None,
) -> None:
    """Normalise free-text answers: each output line is the input line plus `answer`.

    A `question` field, when present, lets the judge read predicate answers ("it is not
    necessary") against the question asked. With --labels, print the judge's agreement
    with hand labels instead: the confusion matrix (opposite answers apart from nulls),
    per-class sensitivity and specificity with exact intervals, and the disagreements.
    """
    reader = open_judge(judge, judge_cache)
    if labels is not None:
        if file is not None:
            raise UsageError("give either a FILE to judge or --labels FILE to measure, not both")
        _judge_labels(labels, out, as_json, reader)
        return
    if file is None:
        raise UsageError("give a JSONL FILE to judge (or - for stdin), or --labels FILE")
    source = sys.stdin if str(file) == "-" else None
    if source is None and not file.is_file():
        raise UsageError(f"no such file {str(file)!r}; give a JSONL file or - for stdin")
    handle_in = source.buffer if source is not None else file.open("rb")
    with handle_in, atomic_text(out) as handle:
        for number, record in json_lines(handle_in, str(file)):
            if "kind" not in record or "response" not in record:
                raise UsageError(f"{file}:{number}: each line needs `kind` and `response` fields")
            if record["kind"] not in ANSWERS:
                raise UsageError(
                    f"{file}:{number}: kind must be one of {', '.join(ANSWERS)}, got "
                    f"{record['kind']!r}"
                )
            if not isinstance(record["response"], str):
                raise UsageError(
                    f"{file}:{number}: response must be the model's reply as a string, got "
                    f"{record['response']!r}"
                )
            question = record.get("question")
            record["answer"] = reader.read(
                record["response"], record["kind"], question if isinstance(question, str) else None
            )
            handle.write(_line(record))
            handle.flush()


def _judge_labels(labels: Path, out: Path | None, as_json: bool, reader: Judge) -> None:
    """The judge's accuracy against the labelled replies in ``labels``."""
    from harness.judge._accuracy import accuracy_text, judge_accuracy, load_labelled

    accuracy = judge_accuracy(load_labelled(labels)[0], reader.read)
    text = (
        json.dumps(accuracy.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if as_json
        else accuracy_text(accuracy)
    )
    with atomic_text(out) as handle:
        handle.write(text)


@app.command("render")
def render_command(
    scenario: ScenarioArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")],
    condition: ConditionOption = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Scenes per condition.")] = 1,
    seed: SeedOption = 0,
    start: StartOption = 0,
    frames: Annotated[
        int, typer.Option(min=1, help="Frames per scene along the maneuver (a sequence).")
    ] = 1,
    dt: Annotated[float, typer.Option(min=0.0, help="Seconds between sequence frames.")] = 0.5,
    contact_sheet: Annotated[
        bool,
        typer.Option(
            "--contact-sheet",
            help="Render every default condition and write one grid image of them.",
        ),
    ] = False,
    renderer: Annotated[
        str, typer.Option(help="Renderer by name; embedded needs no server.")
    ] = "embedded",
    width: Annotated[int, typer.Option(min=16, max=8192, help="Image width.")] = 800,
    height: Annotated[int, typer.Option(min=16, max=8192, help="Image height.")] = 450,
    fov: Annotated[float, typer.Option(help="Horizontal field of view, degrees.")] = 90.0,
    backend: Annotated[
        str, typer.Option(help="Embedded GL backend: auto, gl or software.")
    ] = "auto",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Start the index again when --out holds frames of other settings."
        ),
    ] = False,
    corruption: Annotated[
        str,
        typer.Option(
            help="Camera corruption written into every frame, seeded by its scene (fog, rain, "
            "jpeg, camera_crash, ...; see docs/corruptions.png); none keeps frames clean."
        ),
    ] = "none",
    severity: Annotated[
        int | None, typer.Option(help="Severity of --corruption, 1..5 (default 3).")
    ] = None,
) -> None:
    """Render scenes to PNGs with a JSONL index (out/index.jsonl) linking frames to scenes.

    Rendering again into the same --out adds only scenes not indexed yet; other settings
    (size, field of view, backend, renderer, corruption) need --force or another --out.
    """
    from rich.progress import track

    from harness.perturb import NO_CORRUPTION, Corruption
    from harness.render import Frame, RenderSettings, frame_times, open_renderer
    from harness.render._output import (
        RenderJob,
        prepare_render_dir,
        render_job,
        write_contact_sheet,
    )
    from scenarios import SceneGraph

    chosen = get_scenario(scenario)
    if contact_sheet and condition is not None:
        raise UsageError("--contact-sheet renders every default condition; drop --condition")
    conditions = (
        tuple(chosen.default_conditions())
        if contact_sheet
        else (chosen.resolve_condition(condition),)
    )
    if severity is not None and corruption == NO_CORRUPTION:
        raise UsageError("--severity needs a --corruption; e.g. --corruption fog --severity 3")
    damage = Corruption(corruption, 3 if severity is None else severity)
    settings = RenderSettings(width=width, height=height, fov_deg=fov, backend=backend)
    job = RenderJob(chosen, conditions, n, seed, start, frame_times(frames, dt), damage)
    total = len(conditions) * n
    active = open_renderer(renderer, settings)  # checks the name before anything is written
    firsts: list[tuple[SceneGraph, Frame]] = []  # only what the contact sheet shows
    recorded = {"renderer": renderer, **settings.to_dict()}
    if damage.name != NO_CORRUPTION:  # clean renders keep the render.json they always had
        recorded["corruption"] = damage.to_dict()
    try:
        indexed = prepare_render_dir(out, recorded, force)
        before = len(indexed)
        scenes = render_job(active, job, out, indexed, render_all=contact_sheet)
        for scene, rendered in track(scenes, total=total, description="rendering", transient=True):
            if contact_sheet:
                firsts.append((scene, rendered[0]))
    finally:
        active.close()
    added = len(indexed) - before
    typer.echo(
        f"{added} new frames of {total} scenes in {out / 'index.jsonl'} "
        f"({total * frames - added} already indexed; {len(indexed)} frames in all)"
    )
    if contact_sheet:
        sheet = write_contact_sheet(chosen, firsts, out / f"{chosen.name}_contact_sheet.png")
        typer.echo(f"contact sheet: {sheet}")


@app.command("bound")
def bound_command(
    unsafe: Annotated[int, typer.Option("--unsafe", help="Unsafe answers (K).")],
    n: Annotated[int, typer.Option("--n", help="Scenes observed (N), fixed in advance.")],
    delta: Annotated[float, typer.Option(help="Miscoverage; confidence is 1 - delta.")] = 0.05,
    method: Annotated[
        str, typer.Option(help="clopper-pearson (exact), wilson or jeffreys.")
    ] = "clopper-pearson",
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"lower","upper","method","delta"}.')
    ] = False,
) -> None:
    """Two-sided confidence interval for an unsafe-answer rate from K unsafe among N."""
    from analysis import binomial_interval

    interval = binomial_interval(unsafe, n, delta, method)
    if as_json:
        record = {k: getattr(interval, k) for k in ("lower", "upper", "method", "delta")}
        typer.echo(json.dumps(record))
        return
    note = "" if interval.exact else " (approximate: coverage can dip below the nominal level)"
    typer.echo(
        f"{unsafe}/{n} unsafe: [{interval.lower:.6f}, {interval.upper:.6f}] "
        f"at {1 - interval.delta:.4g} confidence, {interval.method}{note}"
    )


def _register_commands() -> None:
    from harness._certify_command import certify_command
    from harness.run._commands import (
        compare_command,
        demo_command,
        export_command,
        report_command,
        run_command,
        sweep_command,
    )
    from harness.run._search_command import search_command

    app.command("certify")(certify_command)
    app.command("run")(run_command)
    app.command("sweep")(sweep_command)
    app.command("search")(search_command)
    app.command("demo")(demo_command)
    app.command("report")(report_command)
    app.command("export")(export_command)
    app.command("compare")(compare_command)


_register_commands()


@app.command("version")
def version_command() -> None:
    """Print the drivecert version."""
    typer.echo(__version__)


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one boundary where errors become messages and exit codes.

    - bad input (``UsageError``), and files that cannot be read or written (missing,
      unwritable, not a directory, disk full): one line and exit code 2;
    - another drivecert error: one line and exit code 1;
    - anything else is a bug: its traceback and a request to report it, exit code 1.

    ``--debug`` (anywhere on the line) shows the traceback of every error.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = optional_value([a for a in args if a != "--debug"], "--ray", "local")
    try:
        app(args=args, standalone_mode=True)
    except UsageError as error:
        _fail(debug, f"error: {error}", 2)
    except DrivecertError as error:
        _fail(debug, f"error: {error}", 1)
    except OSError as error:
        _fail(debug, f"error: {path_problem(error)}", 2)
    except Exception as error:
        if debug:
            raise
        traceback.print_exc()
        typer.echo(
            f"drivecert {__version__} hit a bug ({type(error).__name__}); please report it "
            "with the command line and the traceback above",
            err=True,
        )
        raise SystemExit(1) from None


def optional_value(args: list[str], flag: str, default: str) -> list[str]:
    """``flag`` given without a value (last, or followed by an option or a YAML file) gets
    ``default``: ``--ray`` alone means a local cluster, ``--ray ADDRESS`` joins one."""
    out = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg != flag:
            continue
        following = args[i + 1] if i + 1 < len(args) else None
        if following is None or following.startswith("-") or following.endswith((".yaml", ".yml")):
            out.append(default)
    return out


def path_problem(error: OSError) -> str:
    """One line naming the path, what is wrong with it and what to do."""
    where = f"{error.filename}" if error.filename is not None else "a file"
    fixes = {
        errno.ENOENT: "check the path",
        errno.EACCES: "choose a path you may write to, or fix its permissions",
        errno.EPERM: "choose a path you may write to, or fix its permissions",
        errno.EROFS: "choose a path on a writable file system",
        errno.ENOTDIR: "a part of the path is a file; choose a directory",
        errno.EISDIR: "it is a directory; give a file",
        errno.ENOSPC: "free some space or choose another disk",
        errno.EEXIST: "a file is where a directory is needed; choose another path",
    }
    fix = fixes.get(error.errno or 0, "check the path")
    return f"{where}: {(error.strerror or str(error)).lower()}; {fix}"


def _fail(debug: bool, message: str, code: int) -> None:
    if debug:
        traceback.print_exc()
    typer.echo(message, err=True)
    raise SystemExit(code) from None


if __name__ == "__main__":
    main()
