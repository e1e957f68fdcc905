# tests/test_recorded.py: check recorded streams from your own tests.
import json

from orvalidate.testing import assert_valid_stream


def test_cassette_streams_are_valid():
    assert_valid_stream("tests/cassettes/test_answer.yaml")  # a capture, cassette or HAR file


def test_bytes_my_server_wrote():
    with open("tests/captures/answer.sse", "rb") as capture:
        assert_valid_stream(capture.read(), profile="openai", ignore=["D004"])


def test_events_as_dicts():
    with open("tests/captures/answer.jsonl") as lines:
        assert_valid_stream(json.loads(line) for line in lines)
