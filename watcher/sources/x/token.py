"""The `token` the X syndication endpoint expects next to a post id.

It is what X's own embed code (and vercel/react-tweet) computes in JavaScript:

    ((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\\.)/g, "")

Without it the endpoint starts answering `{}` after a while. Python has no base-36 float
formatting, so `js_radix` reproduces V8's `Number.prototype.toString(radix)`: the shortest digits
that still identify the double, rounded half to even. The id goes through a double on purpose:
ids above 2**53 lose their last digits exactly as in `Number(id)`, and the token must match.
"""

from __future__ import annotations

import math
import re

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_STRIP = re.compile(r"0+|\.")  # every zero, not only leading ones, and the point
_EXACT = 2.0**53  # from here on a double has no fractional bits (V8 pads such digits with 0)


def syndication_token(post_id: str) -> str:
    """The token for `post_id` (decimal digits), as X's embed code computes it."""
    return _STRIP.sub("", js_radix(float(post_id) / 1e15 * math.pi, 36))


def js_radix(value: float, radix: int) -> str:
    """`value.toString(radix)` as V8 writes it, for a finite value >= 0."""
    integer = math.floor(value)
    fraction = value - integer
    # Half the gap to the next double: digits below it would describe another number.
    delta = max(math.nextafter(0.0, 1.0), 0.5 * (math.nextafter(value, math.inf) - value))
    digits: list[int] = []
    if fraction >= delta:
        digits, carry = _fraction_digits(fraction, delta, radix)
        integer += carry
    whole = _integer_digits(float(integer), radix)
    return whole + ("." + "".join(_DIGITS[d] for d in digits) if digits else "")


def _fraction_digits(fraction: float, delta: float, radix: int) -> tuple[list[int], int]:
    """The fractional digits and the carry (0 or 1) that rounding passed to the integer part."""
    digits: list[int] = []
    while True:
        fraction *= radix
        delta *= radix
        digit = int(fraction)
        digits.append(digit)
        fraction -= digit
        rounds_up = fraction > 0.5 or (fraction == 0.5 and digit & 1)
        if rounds_up and fraction + delta > 1:
            return _round_up(digits, radix)
        if fraction < delta:
            return digits, 0


def _round_up(digits: list[int], radix: int) -> tuple[list[int], int]:
    """Add one at the last digit; digits that overflow are dropped, as V8 drops them."""
    while digits:
        last = digits.pop() + 1
        if last < radix:
            digits.append(last)
            return digits, 0
    return digits, 1


def _integer_digits(integer: float, radix: int) -> str:
    out: list[str] = []
    while integer / radix >= _EXACT:  # digits a double cannot hold are written as 0
        integer /= radix
        out.append("0")
    while True:
        remainder = math.fmod(integer, radix)
        out.append(_DIGITS[int(remainder)])
        integer = (integer - remainder) / radix
        if integer <= 0:
            return "".join(reversed(out))
