"""A user's own surface f(x, y): parsed safely, with exact gradient and Hessian.

>>> import landscapes
>>> surface = landscapes.formula("x^2 + 3*y^2")
>>> surface.grad([[1.0, 1.0]])
array([[2., 6.]])

The grammar a user may type
---------------------------
* **Numbers**: ``3``, ``2.5``, ``.5``, ``5.``, ``1e-3``, ``2.5E+4``.
* **Names**: ``x``, ``y``, ``pi``, ``e``. Names are case-sensitive (``X`` is unknown).
* **Operators**, loosest first:

  1. ``a + b``, ``a - b`` (left to right)
  2. ``a * b``, ``a / b`` (left to right); a ``*`` is never implied: write ``2*x``, not ``2x``
  3. unary ``-a``, ``+a``
  4. ``a ^ b`` or, the same, ``a ** b``: power, right to left (``2^3^2`` is ``2^9``), binding
     tighter than a unary minus on its left (``-x^2`` is ``-(x^2)``) and admitting one on its
     right (``2^-x`` is ``2^(-x)``).

* **Parentheses** ``( )`` group.
* **Functions**, each of one argument in parentheses, e.g. ``sin(x)``:

  ====================  ==================================================
  ``sin cos tan``       trigonometric (radians)
  ``asin acos atan``    inverses; also spelled ``arcsin arccos arctan``
  ``sinh cosh tanh``    hyperbolic
  ``exp``               e^t
  ``log`` / ``ln``      natural logarithm; ``log10``, ``log2``
  ``sqrt cbrt``         square root, cube root
  ``abs``               |t| (derivative taken as sign(t), 0 at 0)
  ``sigmoid``           1 / (1 + e^-t)
  ``softplus``          log(1 + e^t)
  ``relu``              max(0, t) (derivative taken as 0 at 0, as in PyTorch)
  ====================  ==================================================

Nothing else is accepted: no attribute access, subscripts, strings, commas, other names or
calls, and only ASCII (a Unicode minus sign or ``π`` is rejected with a hint). Whitespace is
free. At most :data:`MAX_LENGTH` characters and :data:`MAX_DEPTH` levels of nesting
(parentheses, function calls, unary signs, powers), both checked before and while parsing.

Errors
------
Every rejected input raises :class:`FormulaError` (a ``ValueError``) whose message ends with
``at column N`` (1-based, for people) and whose ``.position`` is the same place 0-based
(``text[position]`` is the offending character; ``len(text)`` for "unexpected end").

How the derivatives are exact
-----------------------------
The formula is tokenized and parsed by hand (recursive descent) into a small tree; user text
never reaches ``eval``, ``exec``, ``compile``, sympy or numexpr. Constant sub-trees are folded
in NumPy float64 (``9^9^9`` folds to ``inf`` at once, never to a Python integer). The tree is
flattened into a post-order program that is evaluated with second-order forward-mode
automatic differentiation: every node carries its value v, gradient g = (v_x, v_y) and Hessian
H = [[v_xx, v_xy], [v_xy, v_yy]], combined by the exact rules

* ``a + b``:  g = g_a + g_b,  H = H_a + H_b
* ``a * b``:  g = a g_b + b g_a,  H = a H_b + b H_a + g_a g_b^T + g_b g_a^T
* ``phi(a)``: g = phi'(a) g_a,  H = phi''(a) g_a g_a^T + phi'(a) H_a
  (``1/b``, ``a^c`` and ``c^b`` are such phi; ``a^b`` is exp(b log a))

with derivative parts that are identically zero skipped. This is the chain rule applied to
numbers instead of to expressions, so the cost stays linear in the formula's length (symbolic
Hessians of a product of n factors grow like n^3 without common-subexpression sharing).
Everything is evaluated in float64 under ``np.errstate(all="ignore")``: overflow gives inf,
and where the formula is undefined (``log`` of a negative number, ``sqrt(-1)``) the value is
NaN, and so are the gradient and Hessian there: the app shows a gap, and a run that steps
into it gets a NaN position, which the run loop stops as divergence.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from landscapes.base import Landscape

__all__ = ["FormulaError", "formula", "parse", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH"]

MAX_LENGTH = 500
MAX_DEPTH = 50


class FormulaError(ValueError):
    """A formula that cannot be accepted.

    Attributes:
        message: what is wrong, without the position (e.g. ``"unknown name 'z'"``).
        position: 0-based index into the text where the problem is; the full message
            says ``at column position + 1``.
        code: which mistake it is (e.g. ``"unknown_name"``; ``""`` when unnamed), and ``values``
            the parts its message quotes (e.g. ``{"name": "z", "hint": ""}``), so a page can say the
            same in another language.
    """

    def __init__(self, message: str, position: int, code: str = "", **values):
        self.message = message
        self.position = int(position)
        self.code = code
        self.values = values
        super().__init__(f"{message} at column {self.position + 1}")


# ------------------------------------------------------------------ functions
class Function(NamedTuple):
    """A one-argument function phi with its exact derivatives.

    ``value(t)``; ``first(t, v)`` = phi'(t) and ``second(t, v)`` = phi''(t), given t and
    v = phi(t); ``second`` is None where phi'' is identically zero.
    """

    value: Callable
    first: Callable
    second: Callable | None
    latex: str  # a LaTeX command, or "{}"-template taking the argument


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))  # overflow-free 1 / (1 + e^-t)


_LN10, _LN2 = np.log(10.0), np.log(2.0)

FUNCTIONS: dict[str, Function] = {
    "sin": Function(np.sin, lambda t, v: np.cos(t), lambda t, v: -v, r"\sin"),
    "cos": Function(np.cos, lambda t, v: -np.sin(t), lambda t, v: -v, r"\cos"),
    "tan": Function(np.tan, lambda t, v: 1.0 + v * v, lambda t, v: 2.0 * v * (1.0 + v * v), r"\tan"),
    "asin": Function(np.arcsin, lambda t, v: 1.0 / np.sqrt(1.0 - t * t),
                     lambda t, v: t / (1.0 - t * t) ** 1.5, r"\arcsin"),
    "acos": Function(np.arccos, lambda t, v: -1.0 / np.sqrt(1.0 - t * t),
                     lambda t, v: -t / (1.0 - t * t) ** 1.5, r"\arccos"),
    "atan": Function(np.arctan, lambda t, v: 1.0 / (1.0 + t * t),
                     lambda t, v: -2.0 * t / (1.0 + t * t) ** 2, r"\arctan"),
    "sinh": Function(np.sinh, lambda t, v: np.cosh(t), lambda t, v: v, r"\sinh"),
    "cosh": Function(np.cosh, lambda t, v: np.sinh(t), lambda t, v: v, r"\cosh"),
    "tanh": Function(np.tanh, lambda t, v: 1.0 - v * v, lambda t, v: -2.0 * v * (1.0 - v * v), r"\tanh"),
    "exp": Function(np.exp, lambda t, v: v, lambda t, v: v, r"\exp"),
    "log": Function(np.log, lambda t, v: 1.0 / t, lambda t, v: -1.0 / (t * t), r"\ln"),
    "log10": Function(np.log10, lambda t, v: 1.0 / (t * _LN10),
                      lambda t, v: -1.0 / (t * t * _LN10), r"\log_{10}"),
    "log2": Function(np.log2, lambda t, v: 1.0 / (t * _LN2),
                     lambda t, v: -1.0 / (t * t * _LN2), r"\log_{2}"),
    "sqrt": Function(np.sqrt, lambda t, v: 0.5 / v, lambda t, v: -0.25 / (v * t), r"\sqrt{%s}"),
    "cbrt": Function(np.cbrt, lambda t, v: 1.0 / (3.0 * v * v),
                     lambda t, v: -2.0 / (9.0 * v ** 5), r"\sqrt[3]{%s}"),
    "abs": Function(np.abs, lambda t, v: np.sign(t), None, r"\left|%s\right|"),
    "sigmoid": Function(_sigmoid, lambda t, v: v * (1.0 - v),
                        lambda t, v: v * (1.0 - v) * (1.0 - 2.0 * v), r"\operatorname{sigmoid}"),
    "softplus": Function(lambda t: np.logaddexp(0.0, t), lambda t, v: _sigmoid(t),
                         lambda t, v: _sigmoid(t) * (1.0 - _sigmoid(t)), r"\operatorname{softplus}"),
    "relu": Function(lambda t: np.maximum(t, 0.0), lambda t, v: np.heaviside(t, 0.0), None,
                     r"\operatorname{relu}"),
}
_ALIASES = {"ln": "log", "arcsin": "asin", "arccos": "acos", "arctan": "atan"}
CONSTANTS = {"pi": np.pi, "e": np.e}
VARIABLES = ("x", "y")


# ------------------------------------------------------------------ tokenizer
class Token(NamedTuple):
    kind: str      # "number", "name", "op", "end"
    text: str
    position: int  # 0-based
    detail: tuple = ()    # a "bad" token: (code, values) of its FormulaError


_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_DIGITS = "0123456789"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_WHITESPACE = " \t\r\n"
_UNICODE_HINTS = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
                  "\u00f7": "/", "\u03c0": "pi", "\u00b2": "^2", "\u00b3": "^3"}


def _describe(char: str) -> str:
    """A character quoted for an error message; invisible and non-ASCII ones by code point."""
    if char.isascii() and char.isprintable():
        return repr(char)
    return f"U+{ord(char):04X}" + (f" {char!r}" if char.isprintable() else "")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens. A character outside the grammar ends the list with a
    ``"bad"`` token whose text is the error message."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _WHITESPACE:
            i += 1
        elif char in _DIGITS or (char == "." and i + 1 < n and text[i + 1] in _DIGITS):
            start = i
            while i < n and text[i] in _DIGITS:
                i += 1
            if i < n and text[i] == ".":
                i += 1
                while i < n and text[i] in _DIGITS:
                    i += 1
            if i < n and text[i] in "eE":  # an exponent only if digits follow
                j = i + 1
                if j < n and text[j] in "+-":
                    j += 1
                if j < n and text[j] in _DIGITS:
                    while j < n and text[j] in _DIGITS:
                        j += 1
                    i = j
            tokens.append(Token("number", text[start:i], start))
            if i < n and text[i] == ".":  # 1.2.3 or 1e5.5
                tokens.append(Token("bad", f"unexpected '.' after the number {text[start:i]!r}", i,
                                    ("dot_after_number", {"number": repr(text[start:i])})))
                break
        elif char in _LETTERS:
            start = i
            while i < n and (text[i] in _LETTERS or text[i] in _DIGITS):
                i += 1
            tokens.append(Token("name", text[start:i], start))
        elif text.startswith("**", i):
            tokens.append(Token("op", "**", i))
            i += 2
        elif char in _OPERATORS:
            tokens.append(Token("op", char, i))
            i += 1
        else:
            # Reported when the parser reaches it, so errors come in reading order.
            hint = _UNICODE_HINTS.get(char)
            message = f"unexpected character {_describe(char)}"
            if hint:
                message += f" (type {hint!r} instead)"
            tokens.append(Token("bad", message, i, ("bad_character_hint" if hint else "bad_character",
                                                    {"character": _describe(char), "hint": repr(hint)})))
            break
    tokens.append(Token("end", "", n))
    return tokens


# ------------------------------------------------------------------ the tree
class Node:
    """One node of a formula tree (treated as immutable; a plain slotted class because
    building one is several times cheaper than a frozen dataclass).

    ``kind`` is ``"number"`` (``value``, and the source ``text``), ``"name"`` (``text`` is
    x, y, pi or e), ``"neg"`` (one child), ``"add" "sub" "mul" "div" "pow"`` (two children)
    or ``"call"`` (``text`` is the canonical function name, one child).
    """

    __slots__ = ("kind", "children", "text", "value", "position")

    def __init__(self, kind: str, children: tuple = (), text: str = "", value: float = 0.0, position: int = 0):
        self.kind = kind
        self.children = children
        self.text = text
        self.value = value
        self.position = position

    def __repr__(self) -> str:
        return f"Node({self.kind!r}, {self.text or self.value!r}, {len(self.children)} children)"


def postorder(root: Node) -> list[Node]:
    """Nodes children-first, without recursion (a left-deep sum of 250 terms is 250 deep).

    Built as the reverse of a right-to-left pre-order walk.
    """
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    order.reverse()
    return order


class _Parser:
    """Recursive descent over the grammar in the module docstring, depth-bounded."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        token = self.tokens[self.index]
        if token.kind == "bad":
            code, values = token.detail or ("", {})
            raise FormulaError(token.text, token.position, code, **values)
        return token

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def descend(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nests too deeply (more than {MAX_DEPTH} levels)", token.position,
                               "too_deep", depth=MAX_DEPTH)

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise FormulaError("empty formula", 0, "empty")
        node = self.expression()
        token = self.token
        if token.kind != "end":
            if token.text == ")":
                raise FormulaError("unexpected ')' without a matching '('", token.position, "unmatched_close")
            if token.kind in ("number", "name") or token.text == "(":
                raise FormulaError(f"missing operator before {token.text!r} (write '*' to multiply)",
                                   token.position, "missing_operator", token=repr(token.text))
            raise FormulaError(f"unexpected {token.text!r}", token.position, "unexpected", token=repr(token.text))
        return node

    def expression(self) -> Node:
        node = self.term()
        while self.token.text in ("+", "-") and self.token.kind == "op":
            op = self.advance()
            node = Node("add" if op.text == "+" else "sub", (node, self.term()), position=op.position)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.token.text in ("*", "/") and self.token.kind == "op":
            op = self.advance()
            node = Node("mul" if op.text == "*" else "div", (node, self.unary()), position=op.position)
        return node

    def unary(self) -> Node:
        token = self.token
        if token.kind == "op" and token.text in ("+", "-"):
            self.advance()
            self.descend(token)
            operand = self.unary()
            self.depth -= 1
            return operand if token.text == "+" else Node("neg", (operand,), position=token.position)
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        token = self.token
        if token.kind == "op" and token.text in ("^", "**"):
            self.advance()
            self.descend(token)
            exponent = self.unary()
            self.depth -= 1
            return Node("pow", (base, exponent), position=token.position)
        return base

    def atom(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            with np.errstate(all="ignore"):
                value = float(np.float64(token.text))  # digits only: float parsing is linear
            return Node("number", text=token.text, value=value, position=token.position)
        if token.kind == "name":
            return self.name(token)
        if token.text == "(":
            inner = self.enclosed(token)
            return inner
        if token.kind == "end":
            raise FormulaError("unexpected end of formula", token.position, "unexpected_end")
        if token.text == ")":
            raise FormulaError("unexpected ')': expected a number, a name or '('", token.position, "unexpected_close")
        raise FormulaError(f"unexpected {token.text!r}: expected a number, a name or '('", token.position,
                           "unexpected_token", token=repr(token.text))

    def enclosed(self, opening: Token, function: str = "") -> Node:
        """The expression after ``opening`` '(' up to its ')'."""
        self.descend(opening)
        if self.token.text == ")" and self.token.kind == "op":
            what = f"{function}() needs an argument" if function else "empty parentheses"
            raise FormulaError(what, self.token.position, "needs_argument" if function else "empty_parentheses",
                               function=function)
        inner = self.expression()
        self.depth -= 1
        closing = self.token
        if closing.kind == "op" and closing.text == ")":
            self.advance()
            return inner
        if closing.text == "," and closing.kind == "op":
            raise FormulaError(f"{function or 'a group'} takes one argument; unexpected ','", closing.position,
                               "one_argument" if function else "group_one_argument", function=function)
        where = f"to close the '(' of column {opening.position + 1}"
        if closing.kind == "end":
            raise FormulaError(f"missing ')' {where}", closing.position, "missing_close", column=opening.position + 1)
        raise FormulaError(f"missing ')' {where}; found {closing.text!r}", closing.position, "missing_close_found",
                           column=opening.position + 1, token=repr(closing.text))

    def name(self, token: Token) -> Node:
        word = token.text
        following = self.tokens[self.index]  # peeked raw: a bad character after it comes second
        called = following.kind == "op" and following.text == "("
        canonical = _ALIASES.get(word, word)
        if canonical in FUNCTIONS:
            if not called:
                raise FormulaError(f"function '{word}' needs its argument in parentheses, "
                                   f"e.g. {word}(x)", token.position, "function_needs_parentheses", name=word)
            opening = self.advance()
            argument = self.enclosed(opening, function=word)
            return Node("call", (argument,), text=canonical, position=token.position)
        if word in VARIABLES or word in CONSTANTS:
            if called:
                raise FormulaError(f"'{word}' cannot be called (write '*' to multiply)", self.token.position,
                                   "not_callable", name=word)
            return Node("name", text=word, position=token.position)
        if called:
            raise FormulaError(f"unknown function '{word}'", token.position, "unknown_function", name=word)
        hint, code = "", "unknown_name"
        if word.lower() in VARIABLES or word.lower() in CONSTANTS:
            hint, code = f" (names are case-sensitive: did you mean '{word.lower()}'?)", "unknown_name_case"
        elif len(word) > 1 and all(c in "xye" for c in word):
            hint, code = " (write '*' to multiply, e.g. x*y)", "unknown_name_product"
        raise FormulaError(f"unknown name '{word}'{hint}", token.position, code, name=word, lower=word.lower())


def parse(text: str) -> Node:
    """Parse ``text`` into a formula tree; raises :class:`FormulaError`.

    The length is checked before anything else, so a huge input costs nothing.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, not {type(text).__name__}", 0, "not_text",
                           type=type(text).__name__)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is too long ({len(text)} characters; at most {MAX_LENGTH})", MAX_LENGTH,
                           "too_long", length=len(text), limit=MAX_LENGTH)
    return _Parser(text).parse()


# ------------------------------------------------------------- constant folding
_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power}


def fold_constants(root: Node) -> Node:
    """The same tree with every sub-tree free of x and y replaced by its float64 value.

    Folding uses NumPy float64 scalars only, so ``9^9^9`` becomes inf in one ``pow`` call.
    """
    folded: dict[int, Node] = {}
    with np.errstate(all="ignore"):
        for node in postorder(root):
            children = tuple(folded[id(child)] for child in node.children)
            if node.kind == "name" and node.text in CONSTANTS:
                new = Node("number", value=float(CONSTANTS[node.text]), text=node.text)
            elif children and all(child.kind == "number" for child in children):
                values = [np.float64(child.value) for child in children]
                if node.kind == "neg":
                    value = -values[0]
                elif node.kind == "call":
                    value = FUNCTIONS[node.text].value(values[0])
                else:
                    value = _BINARY[node.kind](values[0], values[1])
                new = Node("number", value=float(value))
            elif all(new_child is old_child for new_child, old_child in zip(children, node.children)):
                new = node  # nothing below changed: share the node
            else:
                new = Node(node.kind, children, node.text, node.value, node.position)
            folded[id(node)] = new
    return folded[id(root)]


# ------------------------------------------------------ second-order forward AD
class Jet(NamedTuple):
    """Value, gradient and Hessian of one node; ``None`` marks an identically zero part."""

    v: object
    gx: object = None
    gy: object = None
    hxx: object = None
    hxy: object = None
    hyy: object = None


def _add(a, b):
    if a is None:
        return b
    return a if b is None else a + b


def _mul(a, b):
    return None if a is None or b is None else a * b


def _neg(a):
    return None if a is None else -a


def _jet_add(a: Jet, b: Jet, sign: float) -> Jet:
    if sign > 0:
        return Jet(a.v + b.v, *(_add(p, q) for p, q in zip(a[1:], b[1:])))
    return Jet(a.v - b.v, *(_add(p, _neg(q)) for p, q in zip(a[1:], b[1:])))


def _jet_mul(a: Jet, b: Jet, order: int) -> Jet:
    """(ab)' = a b' + b a';  (ab)'' = a H_b + b H_a + g_a g_b^T + g_b g_a^T."""
    gx = _add(_mul(a.v, b.gx), _mul(b.v, a.gx)) if order else None
    gy = _add(_mul(a.v, b.gy), _mul(b.v, a.gy)) if order else None
    if order < 2:
        return Jet(a.v * b.v, gx, gy)
    cross_xx = _mul(a.gx, b.gx)
    cross_yy = _mul(a.gy, b.gy)
    return Jet(
        a.v * b.v, gx, gy,
        _add(_add(_mul(a.v, b.hxx), _mul(b.v, a.hxx)), _add(cross_xx, cross_xx)),
        _add(_add(_mul(a.v, b.hxy), _mul(b.v, a.hxy)), _add(_mul(a.gx, b.gy), _mul(a.gy, b.gx))),
        _add(_add(_mul(a.v, b.hyy), _mul(b.v, a.hyy)), _add(cross_yy, cross_yy)),
    )


def _jet_chain(a: Jet, value, first, second, order: int) -> Jet:
    """phi(a) given phi(a.v), phi'(a.v) and phi''(a.v) (``first``/``second`` are callables
    so that they are only computed when needed; ``second`` may be None for phi'' = 0)."""
    if order == 0 or (a.gx is None and a.gy is None):
        return Jet(value)
    d1 = first()
    gx, gy = _mul(d1, a.gx), _mul(d1, a.gy)
    if order < 2:
        return Jet(value, gx, gy)
    d2 = second() if second is not None else None
    return Jet(
        value, gx, gy,
        _add(_mul(d2, _mul(a.gx, a.gx)), _mul(d1, a.hxx)),
        _add(_mul(d2, _mul(a.gx, a.gy)), _mul(d1, a.hxy)),
        _add(_mul(d2, _mul(a.gy, a.gy)), _mul(d1, a.hyy)),
    )


def _is_constant(a: Jet) -> bool:
    return a.gx is None and a.gy is None and a.hxx is None and a.hxy is None and a.hyy is None


def _jet_pow(a: Jet, b: Jet, order: int) -> Jet:
    """a^b: a power rule for a constant exponent, an exponential rule for a constant base,
    exp(b log a) otherwise (value always np.power, so (-2)^3 stays -8)."""
    value = np.power(a.v, b.v)
    if order == 0:
        return Jet(value)
    if _is_constant(b):
        c = b.v
        scalar = np.ndim(c) == 0
        first = None if scalar and c == 0 else (lambda: c * np.power(a.v, c - 1.0))
        second = None if scalar and c in (0, 1) else (lambda: c * (c - 1.0) * np.power(a.v, c - 2.0))
        if first is None:
            return Jet(value)
        return _jet_chain(a, value, first, second, order)
    if _is_constant(a):
        log_base = np.log(a.v)
        return _jet_chain(b, value, lambda: log_base * value, lambda: log_base * log_base * value, order)
    log_a = _jet_chain(a, np.log(a.v), lambda: 1.0 / a.v, lambda: -1.0 / (a.v * a.v), order)
    exponent = _jet_mul(b, log_a, order)
    return _jet_chain(exponent, value, lambda: value, lambda: value, order)


def _jet_div(a: Jet, b: Jet, order: int) -> Jet:
    """q = a / b by the quotient rule written in q itself, which cancels no large terms:

    q' = (a' - q b') / b,   q'' = (a'' - 2 q' b' - q b'') / b   (mixed: a_xy - q_x b_y - q_y b_x - q b_xy).

    The form a * (1/b) with (1/b)'' = 2/b^3 subtracts terms of size 1/b^2 that cancel (y/y at
    y = 2e-7 gave f_yy = -2^-7 instead of 0); this one gives exact zeros there.
    """
    value = a.v / b.v
    if _is_constant(b):
        return Jet(value, *(_mul(1.0 / b.v, part) for part in a[1:]))
    if order == 0:
        return Jet(value)

    def over_b(part):
        return None if part is None else part / b.v

    gx = over_b(_add(a.gx, _neg(_mul(value, b.gx))))
    gy = over_b(_add(a.gy, _neg(_mul(value, b.gy))))
    if order < 2:
        return Jet(value, gx, gy)
    twice_xx, twice_yy = _mul(gx, b.gx), _mul(gy, b.gy)
    return Jet(
        value, gx, gy,
        over_b(_add(a.hxx, _neg(_add(_add(twice_xx, twice_xx), _mul(value, b.hxx))))),
        over_b(_add(a.hxy, _neg(_add(_add(_mul(gx, b.gy), _mul(gy, b.gx)), _mul(value, b.hxy))))),
        over_b(_add(a.hyy, _neg(_add(_add(twice_yy, twice_yy), _mul(value, b.hyy))))),
    )


def _jet_call(function: Function, a: Jet, order: int) -> Jet:
    value = function.value(a.v)
    second = None if function.second is None else (lambda: function.second(a.v, value))
    return _jet_chain(a, value, lambda: function.first(a.v, value), second, order)


class Program:
    """A folded formula tree flattened into post-order steps, evaluated without recursion."""

    def __init__(self, root: Node):
        self.steps: list[tuple[Node, tuple]] = []
        index: dict[int, int] = {}
        for node in postorder(root):
            index[id(node)] = len(self.steps)
            self.steps.append((node, tuple(index[id(child)] for child in node.children)))

    def evaluate(self, x: np.ndarray, y: np.ndarray, order: int) -> Jet:
        """The root's jet at (x, y): value only (order 0), plus gradient (1), plus Hessian (2)."""
        results: list[Jet] = []
        with np.errstate(all="ignore"):
            for node, args in self.steps:
                kind = node.kind
                a = results[args[0]] if args else None
                b = results[args[1]] if len(args) > 1 else None
                if kind == "number":
                    jet = Jet(np.float64(node.value))
                elif kind == "name":
                    jet = Jet(x, 1.0, None) if node.text == "x" else Jet(y, None, 1.0)
                elif kind == "neg":
                    jet = Jet(*(_neg(part) for part in a))
                elif kind == "add" or kind == "sub":
                    jet = _jet_add(a, b, 1.0 if kind == "add" else -1.0)
                elif kind == "mul":
                    jet = _jet_mul(a, b, order)
                elif kind == "div":
                    jet = _jet_div(a, b, order)
                elif kind == "pow":
                    jet = _jet_pow(a, b, order)
                else:  # "call"
                    jet = _jet_call(FUNCTIONS[node.text], a, order)
                results.append(jet)
        return results[-1]


def _full(part, shape) -> np.ndarray:
    """A jet part as a float64 array of ``shape`` (zeros for an identically zero part)."""
    if part is None:
        return np.zeros(shape)
    return np.array(np.broadcast_to(np.asarray(part, dtype=np.float64), shape))


def _undefined_where_value_is(value, shape, *parts) -> tuple:
    """The parts as full arrays, NaN wherever the value is NaN.

    Where f is undefined so are its derivatives; without this, d/dx log(x) = 1/x would
    be finite at x < 0 and a run could walk on through the gap instead of diverging.
    """
    undefined = np.isnan(_full(value, shape))
    full = tuple(_full(part, shape) for part in parts)
    if undefined.any():
        for array in full:
            array[undefined] = np.nan
    return full


# ------------------------------------------------------------------ LaTeX
_LATEX_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 4, "neg": 3, "pow": 4, "call": 5,
                     "name": 5, "number": 5}
_LATEX_NAMES = {"x": "x", "y": "y", "pi": r"\pi", "e": "e"}


def _latex_number(text: str) -> str:
    lowered = text.lower()
    if "e" not in lowered:
        return text
    mantissa, exponent = lowered.split("e")
    exponent = exponent.lstrip("+")
    exponent = ("-" + exponent[1:].lstrip("0")) if exponent.startswith("-") else exponent.lstrip("0")
    return rf"{mantissa} \cdot 10^{{{exponent or '0'}}}"


def to_latex(root: Node) -> str:
    """LaTeX of the tree as the user wrote it (before folding), with only needed parentheses.

    Safe to render: every piece comes from the whitelisted grammar, never raw user text
    other than digits.
    """
    out: dict[int, str] = {}

    def wrap(child: Node, needs: bool) -> str:
        text = out[id(child)]
        return rf"\left({text}\right)" if needs else text

    for node in postorder(root):
        kind, kids = node.kind, node.children
        if kind == "number":
            text = _latex_number(node.text)
        elif kind == "name":
            text = _LATEX_NAMES[node.text]
        elif kind == "neg":
            text = "-" + wrap(kids[0], kids[0].kind in ("add", "sub", "neg"))
        elif kind in ("add", "sub"):
            sign = " + " if kind == "add" else " - "
            text = out[id(kids[0])] + sign + wrap(kids[1], kids[1].kind in ("add", "sub", "neg"))
        elif kind == "mul":
            text = (wrap(kids[0], kids[0].kind in ("add", "sub")) + r" \cdot "
                    + wrap(kids[1], kids[1].kind in ("add", "sub", "neg")))
        elif kind == "div":
            text = rf"\frac{{{out[id(kids[0])]}}}{{{out[id(kids[1])]}}}"
        elif kind == "pow":
            base = kids[0]
            atomic = base.kind == "name" or (base.kind == "number" and "e" not in base.text.lower())
            text = wrap(base, not atomic) + "^{" + out[id(kids[1])] + "}"
        else:  # call
            command = FUNCTIONS[node.text].latex
            argument = out[id(kids[0])]
            text = command % argument if "%s" in command else rf"{command}\left({argument}\right)"
        out[id(node)] = text
    return out[id(root)]


# ------------------------------------------------------------------ the surface
def _check_view(view: Sequence[float]) -> tuple:
    try:
        box = tuple(float(v) for v in view)
    except (TypeError, ValueError):
        raise ValueError(f"view must be four numbers (x_min, x_max, y_min, y_max), got {view!r}") from None
    if len(box) != 4 or not all(np.isfinite(box)) or not (box[0] < box[1] and box[2] < box[3]):
        raise ValueError(f"view must be four finite numbers with x_min < x_max and y_min < y_max, got {view!r}")
    return box


def _default_start(program: Program, view: tuple) -> tuple:
    """70% of the way towards the view's upper right, or else the first of a few other
    points of the view where the formula has a finite value."""
    x_min, x_max, y_min, y_max = view
    fractions = ((0.7, 0.7), (0.3, 0.7), (0.7, 0.3), (0.3, 0.3), (0.6, 0.5), (0.5, 0.6), (0.9, 0.9))
    points = [(round(x_min + fx * (x_max - x_min), 12), round(y_min + fy * (y_max - y_min), 12))
              for fx, fy in fractions]
    xs, ys = np.array(points).T                                               # (7,), (7,)
    finite = np.isfinite(_full(program.evaluate(xs, ys, order=0).v, xs.shape))   # all candidates at once
    return points[int(np.argmax(finite))] if finite.any() else points[0]


def formula(text: str, view: Sequence[float] = (-3.0, 3.0, -3.0, 3.0), start=None) -> Landscape:
    """A :class:`Landscape` for the user's formula f(x, y) (grammar: module docstring).

    Value, gradient and Hessian are exact (forward-mode automatic differentiation of the
    parsed tree), vectorized over any shape. Raises :class:`FormulaError` for a formula
    outside the grammar and ``ValueError`` for a bad ``view`` or ``start``.
    """
    tree = parse(text)
    program = Program(fold_constants(tree))
    view = _check_view(view)
    if start is None:
        start = _default_start(program, view)
    else:
        start = tuple(float(v) for v in start)
        if len(start) != 2 or not all(np.isfinite(start)):
            raise ValueError(f"start must be two finite numbers, got {start!r}")

    def value_fn(x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        return _full(program.evaluate(x, y, order=0).v, shape)

    def grad_fn(x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        jet = program.evaluate(x, y, order=1)
        return _undefined_where_value_is(jet.v, shape, jet.gx, jet.gy)

    def hessian_fn(x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        jet = program.evaluate(x, y, order=2)
        return _undefined_where_value_is(jet.v, shape, jet.hxx, jet.hxy, jet.hyy)

    return Landscape(
        name="custom", label="Your formula", formula=to_latex(tree),
        value_fn=value_fn, grad_fn=grad_fn, hessian_fn=hessian_fn,
        view=view, start=tuple(float(v) for v in start), critical_points=(),
        note="Your own surface. Gradient and Hessian are exact (automatic differentiation of "
             "the parsed formula); where the formula is undefined the map shows a gap, and a "
             "run that walks into it stops as diverged.",
    )
