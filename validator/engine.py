"""Records -> streams -> rules -> findings, stamped with name and severity from codes.py.

A file may hold several streams: a `response.created` that restarts at sequence 0 after a
terminal event begins a new one. Under the `auto` profile a stream's findings wait until its
profile is known (an OpenRouter marker, or the end of the stream), because severities depend
on it; with an explicit profile they are returned as soon as they are found.
"""

from __future__ import annotations

from typing import Sequence

from . import codes
from .config import DEFAULT, Config
from .fastpath import HotRun
from .model import Batch, Comment, Done, Event, EventRef, Finding, Problem, StreamSummary, new_record
from .rules import CLOSE_CHECKS, checks_for
from .state import Options, StreamState
from .suppress import Suppressions

AUTO = "auto"
AUTO_PROFILES = ("openai", "openrouter")  # what `auto` decides between, per stream (close)
MESSAGE_LIMIT = 1000  # a capture's 1 MB key must not make a 1 MB finding line


def _cut(message: str) -> str:
    """A message of at most MESSAGE_LIMIT characters: its middle goes (the end says what was
    expected and found)."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    half = (MESSAGE_LIMIT - 3) // 2
    return message[:half] + "..." + message[-half:]


class StreamChecker:
    """The checks of one stream; `feed` and `close` return the findings known so far."""

    def __init__(
        self, index: int, path: str, profile: str, strict: bool, starting_after: int | None, config: Config = DEFAULT
    ) -> None:
        self.index = index
        self.path = path
        self.config = config
        self.state = StreamState(Options(None if profile == AUTO else profile, strict, starting_after))
        self._pending: list[tuple[Problem, EventRef | None]] = []
        self.found: list[tuple[Problem, EventRef]] = []  # what the last event fed got (a run may follow)

    # -- input -------------------------------------------------------------------------
    def feed_event(self, event: Event) -> list[Finding]:
        state = self.state
        ref = new_record(EventRef, (event.span, state.events, event.sequence_number, event.type))
        problems = event.problems
        found = [(p, ref) for p in problems] if problems else []
        if event.payload is not None or not problems:
            for check in checks_for(ref.type):
                for problem in check(event, ref, state):
                    found.append((problem, ref))
        state.update(event, ref)
        self.found = found
        return self._emit(found)

    def feed_done(self, done: Done) -> list[Finding]:
        self.state.note_done(done.span)
        return self._emit([])

    def feed_comment(self, comment: Comment) -> list[Finding]:
        self.state.note_comment(comment.text)
        return self._emit([])

    def feed_problem(self, problem: Problem) -> list[Finding]:
        return self._emit([(problem, None)])

    def close(self) -> list[Finding]:
        found = [(p, None) for check in CLOSE_CHECKS for p in check(self.state)]
        if self.state.options.profile is None:
            self.state.options.profile = "openrouter" if self.state.openrouter_marker else "openai"
        return self._emit(found)

    def summary(self) -> StreamSummary:
        state = self.state
        profile = state.options.profile or ("openrouter" if state.openrouter_marker else "openai")
        return StreamSummary(self.index, profile, state.events, state.response_id, state.status)

    # -- output ------------------------------------------------------------------------
    def _emit(self, found: Sequence[tuple[Problem, EventRef | None]]) -> list[Finding]:
        state = self.state
        if state.options.profile is None:
            if state.openrouter_marker:
                state.options.profile = "openrouter"
            else:
                return self._settled(found)
        if self._pending:
            found = self._pending + list(found)
            self._pending = []
        elif not found:
            return []
        return [f for f in (self._finding(p, ref) for p, ref in found) if f is not None]

    def _settled(self, found: Sequence[tuple[Problem, EventRef | None]]) -> list[Finding]:
        """While `auto` has not decided (no OpenRouter marker yet; an OpenAI stream has none
        until it ends): the findings the same under either profile, at once (`orvalidate -`
        prints them as they arise); the others wait for the profile in `_pending`."""
        out: list[Finding] = []
        for problem, ref in found:
            first, *others = (self._finding(problem, ref, profile) for profile in AUTO_PROFILES)
            if any(other != first for other in others):
                self._pending.append((problem, ref))
            elif first is not None:
                out.append(first)
        return out

    def _finding(self, problem: Problem, ref: EventRef | None, profile: str | None = None) -> Finding | None:
        profile = profile or self.state.options.profile
        assert profile is not None
        if problem.only_profiles is not None and profile not in problem.only_profiles:
            return None
        severity = self.config.finding_level(problem.code, profile, self.path, problem.severity)
        if severity is None:
            return None
        at = problem.at or ref  # a reader problem inside an event (F003 on the last one) is about that event
        span = problem.span or (at.span if at else None)
        assert span is not None
        return Finding(
            path=span.path,
            line=span.line,
            column=span.column,
            code=problem.code,
            name=codes.RULES[problem.code].name,
            severity=severity,
            message=_cut(problem.message),
            stream=self.index,
            event_index=at.index if at else None,
            sequence_number=at.sequence_number if at else None,
            event_type=at.type if at else None,
            json_path=problem.json_path,
        )


class FileChecker:
    """Splits a file's records into streams and checks each; knows the file's summary."""

    def __init__(
        self,
        path: str,
        profile: str = AUTO,
        strict: bool = False,
        starting_after: int | None = None,
        config: Config = DEFAULT,
    ) -> None:
        self.path = path
        self.config = config
        self.profile = profile
        self.strict = strict
        self.starting_after = starting_after
        self.streams: list[StreamSummary] = []
        self.events = 0
        self.suppressions = Suppressions()
        self._current = self._new_stream()
        self.hot: HotRun | None = None  # the run the last delta went into, while armed
        self.batched = 0  # events taken by run batching, not one by one (the benchmark prints it)

    def _new_stream(self) -> StreamChecker:
        resumed = self.starting_after if not self.streams else None  # --starting-after: the first stream only
        return StreamChecker(len(self.streams), self.path, self.profile, self.strict, resumed, self.config)

    def feed(self, record: Event | Batch | Done | Comment | Problem) -> list[Finding]:
        """The findings this record makes known, less those a suppression comment covers. Of
        a batch's events, those that continue the run the last delta went into are taken by
        the armed HotRun; each other event goes to the rules, and arms one when it may."""
        if not isinstance(record, Batch):
            found = self._feed(record)
            self.hot = HotRun.after(self._current.state, record, self._current.found) if type(record) is Event else None
            return [f for f in found if self.suppressions.allows(f)] if found else found
        found = []
        i, end = 0, len(record.payloads)
        while i < end:
            said: list[tuple[Problem, EventRef]] = []
            taken = self.hot.take(record, i, said) if self.hot is not None else 0
            if taken:
                self.events += taken
                self.batched += taken
                i += taken
                found += self._current._emit(said) if said else []  # what the rules say of them
                continue
            event = record.event(i)
            found += self._feed(event)
            self.hot = HotRun.after(self._current.state, event, self._current.found)
            i += 1
        return [f for f in found if self.suppressions.allows(f)] if found else found

    def _feed(self, record: Event | Done | Comment | Problem) -> list[Finding]:
        if isinstance(record, Event):
            found: list[Finding] = []
            state = self._current.state
            if record.type == "response.created" and state.terminal is not None and record.sequence_number in (0, None):
                found = self._close_stream()
                self._current = self._new_stream()
            self.events += 1
            if record.comments:
                self.suppressions.note(record.comments, (self._current.index, self._current.state.events))
            return found + self._current.feed_event(record)
        if isinstance(record, Done):
            return self._current.feed_done(record)
        if isinstance(record, Comment):
            self.suppressions.note(((record.span, record.text),), None)
            return self._current.feed_comment(record)
        return self._current.feed_problem(record)

    def _close_stream(self) -> list[Finding]:
        found = self._current.close()
        self.streams.append(self._current.summary())
        return found

    def close(self) -> list[Finding]:
        self.hot = None
        found = self._close_stream()
        level = self.config.level("F013", self._file_profile, self.path)
        if self.events == 0 and level is not None:
            found.append(
                Finding(self.path, 1, 1, "F013", codes.RULES["F013"].name, level, "the capture holds no events at all")
            )
        return [f for f in found if self.suppressions.allows(f)]

    @property
    def _file_profile(self) -> str:
        """The profile for findings about the file as a whole: the last stream's."""
        return self.streams[-1].profile if self.streams else ("openai" if self.profile == AUTO else self.profile)

    def settle(self, findings: list[Finding]) -> list[Finding]:
        """The file's findings once all is read: a `file-ignore` seen late drops earlier
        findings too, and directives that suppressed nothing become F016."""
        kept = [f for f in findings if self.suppressions.allows(f)]
        return kept + self.suppressions.unused(self.path, self.config.level("F016", self._file_profile, self.path))


CODE_DOCS: dict[str, str] = {  # what the codes reported here mean: `orvalidate rule CODE` prints it
    "F013": """F013 empty-capture (error under every profile).

The capture holds no event at all: it is empty, blank, only comments, or only `data: [DONE]`.
A fixture like that checks nothing.

Fails:  : OPENROUTER PROCESSING\\n\\ndata: [DONE]\\n\\n
Passes: data: {"type":"response.created",...}\\n\\n...""",
}
