"""Records -> streams -> rules -> findings, stamped with name and severity from codes.py.

A file may hold several streams: a `response.created` that restarts at sequence 0 after a
terminal event begins a new one. Under the `auto` profile a stream's findings wait until its
profile is known (an OpenRouter marker, or the end of the stream), because severities depend
on it; with an explicit profile they are returned as soon as they are found.
"""

from __future__ import annotations

from typing import NamedTuple

from . import codes
from .config import DEFAULT, Config
from .fastpath import HotRun, in_order, plain_delta, rest_of
from .model import Comment, Done, Event, EventRef, Finding, Problem, new_record
from .rules import CLOSE_CHECKS, checks_for
from .state import Options, StreamState
from .suppress import Suppressions

AUTO = "auto"
AUTO_PROFILES = ("openai", "openrouter")  # what `auto` decides between, per stream (close)
QUICK = True  # take fastpath.plain_delta's shortcut for ordinary deltas
MESSAGE_LIMIT = 1000  # a capture's 1 MB key must not make a 1 MB finding line


class StreamSummary(NamedTuple):
    index: int
    profile: str
    events: int
    response_id: str | None
    status: str | None


def _cut(message: str) -> str:
    """A message of at most MESSAGE_LIMIT characters: its middle goes (the end says what was
    expected and found)."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    half = (MESSAGE_LIMIT - 3) // 2
    return message[:half] + "..." + message[-half:]


class StreamChecker:
    """The checks of one stream; `feed` and `close` return the findings known so far."""

    def __init__(self, index: int, path: str, profile: str, strict: bool, starting_after: int | None, config: Config = DEFAULT) -> None:
        self.index = index
        self.path = path
        self.config = config
        self.state = StreamState(Options(None if profile == AUTO else profile, strict, starting_after))
        self._pending: list[tuple[Problem, EventRef | None]] = []
        self.quick = QUICK  # the tests turn it off to compare findings

    # -- input -------------------------------------------------------------------------
    def feed_plain(self, event: Event, hot: HotRun) -> bool:
        """Record an ordinary delta (fastpath.py), arm `hot` with its run and say so; False:
        it needs `feed_event`.

        Nothing is emitted: after every record either the profile is still open with no marker
        seen, or it is decided and nothing is pending, so `_emit([])` would return nothing. A
        problem `auto` holds until the profile is known (S002 for one candidate) is held here."""
        if not self.quick:
            return False
        state = self.state
        plain = plain_delta(event, state)
        if plain is None:
            return False
        item, kind, check, extra = plain
        payload = event.payload
        ref = new_record(EventRef, (event.span, state.events, payload["sequence_number"], payload["type"]))  # type: ignore[index]
        if extra is not None:  # the profile is open and no marker seen: `_emit` would hold it
            self._pending.append((extra, ref))
        hot.arm(state, event, kind, state.add_delta(ref, item, kind, payload), check, extra, self._pending)  # type: ignore[arg-type]
        return True

    def feed_event(self, event: Event) -> list[Finding]:
        state = self.state
        ref = new_record(EventRef, (event.span, state.events, event.sequence_number, event.type))
        problems = event.problems
        found = [(p, ref) for p in problems] if problems else []
        if event.payload is not None or not problems:
            for check in rest_of(ref.type) if self.quick and in_order(event, ref, state) else checks_for(ref.type):
                for problem in check(event, ref, state):
                    found.append((problem, ref))
        state.update(event, ref)
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
    def _emit(self, found: list[tuple[Problem, EventRef | None]]) -> list[Finding]:
        state = self.state
        if state.options.profile is None:
            if state.openrouter_marker:
                state.options.profile = "openrouter"
            else:
                return self._settled(found)
        if self._pending:
            found = self._pending + found
            self._pending = []
        elif not found:
            return []
        return [f for f in (self._finding(p, ref) for p, ref in found) if f is not None]

    def _settled(self, found: list[tuple[Problem, EventRef | None]]) -> list[Finding]:
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
        at = problem.at or (ref if problem.span is None else None)
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
        # The next deltas of the run the last one went into, which the reader lets it take.
        self.hot = HotRun(path)

    def _new_stream(self) -> StreamChecker:
        resumed = self.starting_after if not self.streams else None  # --starting-after: the first stream only
        return StreamChecker(len(self.streams), self.path, self.profile, self.strict, resumed, self.config)

    def feed(self, record: Event | Done | Comment | Problem) -> list[Finding]:
        """The findings this record makes known, less those a suppression comment covers."""
        if self.hot.armed:
            self.hot.settle()
        if type(record) is Event and self._current.feed_plain(record, self.hot):
            self.events += 1
            return []
        return [f for f in self._feed(record) if self.suppressions.allows(f)]

    def _feed(self, record: Event | Done | Comment | Problem) -> list[Finding]:
        if isinstance(record, Event):
            found: list[Finding] = []
            state = self._current.state
            if (
                record.type == "response.created"
                and state.terminal is not None
                and record.sequence_number in (0, None)
            ):
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
        self.hot.settle()
        found = self._close_stream()
        level = self.config.level("F013", self._file_profile, self.path)
        if self.events == 0 and level is not None:
            found.append(Finding(self.path, 1, 1, "F013", codes.RULES["F013"].name, level, "the capture holds no events at all"))
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

