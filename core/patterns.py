"""Patterns stating, for the OpenAPI schema, what a server-side validator accepts."""

import re


def _letters(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def url_pattern(schemes: list[str], *, any_case: bool = True) -> str:
    """Django's `URLValidator` (the server's check of a URL field) as a pattern: the scheme in any
    case, an optional user, an IPv4 address, `localhost` or a host name with a top-level domain, an
    optional port, path, query and fragment; white space around is trimmed by the server."""
    letters = r"a-zA-Z\u00a1-\uffff0-9"

    def label(most: int) -> str:
        return f"[{letters}](?:[{letters}-]{{0,{most - 2}}}[{letters}])?"

    # The host name is at most 253 characters: up to 3 labels of 63 (the usual) or up to 9 of 20.
    names = f"(?:{label(63)}(?:\\.{label(63)}){{0,2}}|{label(20)}(?:\\.{label(20)}){{3,8}})"
    tld = r"(?:[a-zA-Z\u00a1-\uffff](?:[a-zA-Z\u00a1-\uffff-]{0,57}[a-zA-Z\u00a1-\uffff])|[xX][nN]--[a-zA-Z0-9]{1,55})"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{0,2}|[1-9][0-9]?|0)"
    host = f"(?:{octet}(?:\\.{octet}){{3}}|{names}\\.{tld}\\.?|[lL][oO][cC][aA][lL][hH][oO][sS][tT])"
    scheme = "(?:" + "|".join(_letters(s) if any_case else re.escape(s) for s in schemes) + ")"
    return (
        f"^\\s*{scheme}://(?:[^\\s:@/\\x00]+(?::[^\\s:@/\\x00]*)?@)?{host}(?::[0-9]{{1,5}})?(?:[/?#][^\\s\\x00]*)?\\s*$"
    )
