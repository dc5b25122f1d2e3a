"""Query string hashes against Atlassian's published canonical-request rules and examples."""
import hashlib

import pytest
from atlassian_jwt.url_utils import hash_url
from hypothesis import given, settings
from hypothesis import strategies as st

from addon.connect.jwt import _PLAIN_QUERY, query_string_hash, relative_url, request_query_string_hash


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


# Our request-path shortcut must give atlassian-jwt's hash for anything a client can send.
PATH_CHARS = st.sampled_from(list("abcXYZ019/._~-") + list(";:&%+= é#@!$'()*,"))
QUERY_CHARS = st.sampled_from(list("abkXY019._~-") + list("&&==+% %2%20%41%zz;:/é#?[]@!$'()*,") + ["jwt", "%26"])


RAW_QUERIES = st.lists(QUERY_CHARS, max_size=40).map("".join)
# Repeated keys, keys that prefix each other, values that sort differently decoded and encoded.
PAIRS = st.tuples(st.sampled_from(["a", "b", "a-b", "a+b", "jwt", "%41", "~"]),
                  st.lists(QUERY_CHARS, max_size=6).map("".join))
PAIR_QUERIES = st.lists(PAIRS, max_size=8).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


@settings(max_examples=800, deadline=None, database=None)
@given(method=st.sampled_from(["GET", "post", "Delete"]),
       path=st.lists(PATH_CHARS, max_size=25).map("".join).map(lambda p: "/" + p),
       query=st.one_of(RAW_QUERIES, PAIR_QUERIES))
def test_request_hash_is_atlassian_jwts(method, path, query):
    url = f"{path}?{query}" if query else path
    assert request_query_string_hash(method, path, query) == hash_url(method, url)


# Queries with nothing to decode or encode take a shortcut of their own (_PLAIN_QUERY): pieces with
# and without '=', empty values, repeated and prefixing keys, and the jwt parameter among them.
PLAIN_PIECES = st.tuples(st.sampled_from(["a", "b", "a-b", "a.b", "A", "jwt", "~", "a_1"]),
                         st.sampled_from(["", "=", "=1", "=x~y", "=2.0", "=-", "=5b10ac8d82e05b22cc7d4ef5"]))
PLAIN_QUERIES = st.lists(PLAIN_PIECES, min_size=1, max_size=8).map(lambda pieces: "&".join(k + v for k, v in pieces))


@settings(max_examples=400, deadline=None, database=None)
@given(query=PLAIN_QUERIES)
def test_plain_queries_take_the_shortcut_and_hash_as_atlassian_jwt(query):
    assert _PLAIN_QUERY.fullmatch(query) is not None
    url = f"/api/user-skills?{query}"
    assert request_query_string_hash("GET", "/api/user-skills", query) == hash_url("GET", url)


@pytest.mark.parametrize("method,path,query", [
    ("GET", "/api/user-skills", "accountId=557058:3e63957f&jwt=a.b.c"),
    ("GET", "/a", "a-b=1&a=2"),  # pairs sort as (key, value), not as "key=value" strings
    ("GET", "/a/", "x=%zz&x=+&x="),
    ("GET", "/a:b/c", "q=1"),  # urlparse reads a scheme here: atlassian-jwt's own answer is used
    ("GET", "/a;p=1/b", ""),
])
def test_request_hash_edge_cases(method, path, query):
    url = f"{path}?{query}" if query else path
    assert request_query_string_hash(method, path, query) == hash_url(method, url)
