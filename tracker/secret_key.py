"""How production judges its secret key before it starts."""

from __future__ import annotations

import math
from collections import Counter

MIN_LENGTH = 50
MIN_DISTINCT = 10
MIN_BITS = 200  # Shannon estimate over the key's own characters; a token_urlsafe(50) key has ~360
MAX_RUN = 7  # characters in a row that step evenly through the alphabet ("abcdefgh", "12345678")


def shannon_bits(key: str) -> float:
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


def _period(key: str) -> int | None:
    for p in range(1, len(key) // 2 + 1):
        if all(key[i] == key[i % p] for i in range(len(key))):
            return p
    return None


def _longest_even_run(key: str) -> int:
    longest = run = 1
    for i in range(2, len(key)):
        step = ord(key[i]) - ord(key[i - 1])
        run = run + 1 if step == ord(key[i - 1]) - ord(key[i - 2]) and abs(step) <= 1 else 1
        longest = max(longest, run + 1)
    return longest


def secret_key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and password-reset links, or None."""
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {MIN_LENGTH}"
    if len(set(key)) < MIN_DISTINCT:
        return f"it uses {len(set(key))} different characters, fewer than {MIN_DISTINCT}"
    period = _period(key)
    if period is not None:
        return f"it repeats a block of {period} characters"
    if _longest_even_run(key) > MAX_RUN:
        return "it contains a long run of consecutive characters"
    bits = shannon_bits(key)
    if bits < MIN_BITS:
        return f"its characters carry about {bits:.0f} bits, fewer than {MIN_BITS}"
    return None
