# tests/test_sdk.py: check every stream the openai SDK reads, live or replayed by VCR.py.
import httpx
from openai import OpenAI

from orvalidate.testing import validating_transport


def test_answer(base_url):  # base_url: your server, a local replay, or the API itself
    http_client = httpx.Client(transport=validating_transport())
    with OpenAI(base_url=base_url, api_key="sk-test", http_client=http_client) as client:
        stream = client.responses.create(model="gpt-4o-mini", input="Say hi", stream=True)
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
    assert text  # a stream with findings raised StreamFindings at its end


def test_answer_with_the_fixture(base_url, orvalidate_transport):
    http_client = httpx.Client(transport=orvalidate_transport)
    with OpenAI(base_url=base_url, api_key="sk-test", http_client=http_client) as client:
        for event in client.responses.create(model="gpt-4o-mini", input="Say hi", stream=True):
            pass  # findings fail the test at teardown
