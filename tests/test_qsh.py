"""Query string hashes against Atlassian's published canonical-request rules and examples."""
import hashlib

import pytest

from addon.connect.jwt import query_string_hash, relative_url


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("method,url,canonical", [
    # The example of "Understanding JWT for Connect apps".
    ("GET", "/path/to/service?zee_last=param&repeated=parameter 1&first=param&repeated=parameter 2",
     "GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param"),
    # Repeated parameters sorted by value and joined with commas.
    ("GET", "/rest/api/x?b=2&a=3&a=1", "GET&/rest/api/x&a=1,3&b=2"),
    # Spaces as %20 (a "+" in a query is a space), "~" left alone, "*" percent-encoded.
    ("GET", "/s?q=a+b&t=x~y&u=a*b", "GET&/s&q=a%20b&t=x~y&u=a%2Ab"),
    ("GET", "/s?q=a%20b", "GET&/s&q=a%20b"),
    # "&" in a path is encoded so it cannot be taken for the separator.
    ("GET", "/some&path", "GET&/some%26path&"),
    # Trailing slash dropped; an empty path is "/"; the method upper-cased.
    ("post", "/lifecycle/installed/", "POST&/lifecycle/installed&"),
    ("GET", "", "GET&/&"),
    # The jwt parameter itself is never part of the hash.
    ("GET", "/api/user-skills?accountId=abc&jwt=eyJ.x.y", "GET&/api/user-skills&accountId=abc"),
    # Parameters without a value keep an empty one; keys are sorted.
    ("GET", "/p?z=&a=1", "GET&/p&a=1&z="),
])
def test_canonical_request_examples(method, url, canonical):
    assert query_string_hash(method, url) == sha(canonical)


@pytest.mark.parametrize("path,query,base,expected", [
    ("/api/user-skills", "accountId=1", "https://x.test", "/api/user-skills?accountId=1"),
    ("/skills/api/user-skills", "", "https://x.test/skills", "/api/user-skills"),
    ("/skills/api/user-skills", "", "https://x.test/skills/", "/api/user-skills"),
    ("/skills", "", "https://x.test/skills", "/"),
    # A path that merely starts with the same letters is not under the prefix.
    ("/skillset/api", "", "https://x.test/skills", "/skillset/api"),
])
def test_relative_url(path, query, base, expected):
    assert relative_url(path, query, base) == expected
