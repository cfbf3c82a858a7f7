# SPDX-License-Identifier: MIT
"""The .cidl language: a lexer, a parser and the checked model (IR) that the
C and Python emitters read. docs/cidl.md describes the language; this file
is its one implementation. Python 3 standard library only."""

import re

HEADER_BYTES = 16
WIRE_VERSION = 1
MSG_MAX_BYTES = 65536  # CAIRN_MSG_MAX_BYTES (include/cairn/ipc.h)
MSG_MAX_HANDLES = 64  # CAIRN_MSG_MAX_HANDLES
NO_HANDLE = 0xFFFFFFFF  # the body's index of an absent optional handle

INT_TYPES = {  # name: (bytes, signed)
    "u8": (1, False), "u16": (2, False), "u32": (4, False), "u64": (8, False),
    "i8": (1, True), "i16": (2, True), "i32": (4, True), "i64": (8, True),
}
# Object types and rights with their values in include/cairn/ipc.h.
OBJ_TYPES = {"channel": 1, "vmo": 2, "process": 3, "thread": 4, "irq": 5, "ioport": 6,
             "mmio": 7}
RIGHTS = {"READ": 1 << 0, "WRITE": 1 << 1, "DUPLICATE": 1 << 2, "TRANSFER": 1 << 3,
          "WAIT": 1 << 4, "MAP": 1 << 5, "EXECUTE": 1 << 6, "INSPECT": 1 << 7,
          "MANAGE": 1 << 8}
KEYWORDS = {"protocol", "version", "const", "enum", "struct", "request", "reply", "event"}
# Names the generated code could not use: C's and Python's keywords, and the
# generated Python module's own names.
C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
              "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
              "register", "restrict", "return", "short", "signed", "sizeof", "static",
              "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
              "bool", "true", "false", "asm", "typeof"}
PY_KEYWORDS = {"and", "as", "assert", "async", "await", "break", "class", "continue", "def",
               "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
               "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
               "return", "try", "while", "with", "yield", "rt", "none", "true", "false"}
RESERVED_NAMES = (KEYWORDS | set(INT_TYPES) | {"bool", "string", "bytes", "array", "handle"} |
                  C_KEYWORDS | PY_KEYWORDS)


class CidlError(Exception):
    """A mistake in a .cidl file, with the file and line it is on."""


# ---- types ----

class Int:
    def __init__(self, name):
        self.name = name
        self.size, self.signed = INT_TYPES[name]

    def bounds(self):
        if self.signed:
            return -(1 << (self.size * 8 - 1)), (1 << (self.size * 8 - 1)) - 1
        return 0, (1 << (self.size * 8)) - 1


class Bool:
    name = "bool"


class String:  # string<N>: UTF-8, at most N bytes
    def __init__(self, max_len):
        self.max = max_len


class Bytes:  # bytes<N>: at most N bytes
    def __init__(self, max_len):
        self.max = max_len


class Array:  # array<T, N>: at most N elements
    def __init__(self, elem, max_len):
        self.elem = elem
        self.max = max_len


class Fixed:  # T[N]: exactly N elements
    def __init__(self, elem, count):
        self.elem = elem
        self.count = count


class Handle:  # handle<TYPE, RIGHTS>
    def __init__(self, obj, rights):
        self.obj = obj  # a key of OBJ_TYPES, or None for any type
        self.rights = rights  # a list of RIGHTS keys the handle must have

    def obj_value(self):
        return OBJ_TYPES[self.obj] if self.obj else 0

    def rights_value(self):
        v = 0
        for r in self.rights:
            v |= RIGHTS[r]
        return v


class Ref:  # a named struct or enum, resolved after parsing
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.target = None


class Enum:
    def __init__(self, name, base, members):
        self.name = name
        self.base = base  # an Int
        self.members = members  # list of (name, value)


class Struct:
    def __init__(self, name, fields):
        self.name = name
        self.fields = fields


class Field:
    def __init__(self, name, type_, optional, line):
        self.name = name
        self.type = type_
        self.optional = optional
        self.line = line


class Message:
    """A request (with its reply) or an event. Each body is a Struct named
    NAME_req, NAME_rep or NAME_evt."""

    def __init__(self, name, ordinal, kind, bodies):
        self.name = name
        self.ordinal = ordinal
        self.kind = kind  # "request" or "event"
        self.bodies = bodies  # list of (suffix, Struct): req+rep, or evt


class Protocol:
    def __init__(self, name, version):
        self.name = name
        self.version = version
        self.consts = {}
        self.enums = []
        self.structs = []  # named structs, in an order where each follows what it uses
        self.messages = []


def resolve(t):
    """The type a Ref stands for (the type itself otherwise)."""
    return t.target if isinstance(t, Ref) else t


# ---- lexer ----

TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<int>0[xX][0-9a-fA-F]+|[0-9]+) | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}<>()\[\];:,=|?-])""", re.X | re.S)


def lex(text, path):
    toks = []
    line = 1
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise CidlError("%s:%d: unexpected character %r" % (path, line, text[pos]))
        kind = m.lastgroup
        val = m.group()
        if kind == "int":
            toks.append(("int", int(val, 0), line))
        elif kind in ("ident", "punct"):
            toks.append((kind, val, line))
        line += val.count("\n")
        pos = m.end()
    toks.append(("eof", None, line))
    return toks


# ---- parser ----

class Parser:
    def __init__(self, text, path):
        self.path = path
        self.toks = lex(text, path)
        self.i = 0
        self.names = {}  # every declared type, enum and const name

    def err(self, msg, line=None):
        return CidlError("%s:%d: %s" % (self.path, line or self.toks[self.i][2], msg))

    def peek(self):
        return self.toks[self.i]

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, val):
        kind, v, line = self.next()
        if v != val or kind not in ("ident", "punct"):
            raise self.err("expected %r, found %r" % (val, v), line)

    def accept(self, val):
        kind, v, _ = self.peek()
        if kind in ("ident", "punct") and v == val:
            self.i += 1
            return True
        return False

    def ident(self, what="a name"):
        kind, v, line = self.next()
        if kind != "ident":
            raise self.err("expected %s, found %r" % (what, v), line)
        return v

    def new_name(self, what, pattern=r"[a-z][a-z0-9_]*"):
        line = self.peek()[2]
        name = self.ident(what)
        if name in RESERVED_NAMES:
            raise self.err("%r is a reserved word" % name, line)
        if name in self.names:
            raise self.err("%r is declared twice" % name, line)
        if not re.fullmatch(pattern, name):
            raise self.err("%r: %s names are %s" % (name, what, "UPPER_CASE" if "A" in pattern
                                                    else "lower_case"), line)
        self.names[name] = line
        return name

    def number(self, what="a number"):
        kind, v, line = self.next()
        if kind == "int":
            return v
        if kind == "ident" and v in self.proto.consts:
            return self.proto.consts[v]
        raise self.err("expected %s, found %r" % (what, v), line)

    def size(self, what):
        line = self.peek()[2]
        n = self.number(what)
        if n < 1 or n > MSG_MAX_BYTES:
            raise self.err("%s %d is not within 1..%d" % (what, n, MSG_MAX_BYTES), line)
        return n

    def parse(self):
        self.expect("protocol")
        name = self.ident("the protocol's name")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise self.err("%r: the protocol's name is lower_case" % name)
        self.expect("version")
        version = self.number("a version")
        if not 1 <= version <= 0xFFFF:
            raise self.err("version %d is not within 1..65535" % version)
        self.expect(";")
        self.proto = Protocol(name, version)
        self.ordinals = {}
        while self.peek()[0] != "eof":
            kw = self.ident("a declaration")
            handler = {"const": self.p_const, "enum": self.p_enum, "struct": self.p_struct,
                       "request": self.p_request, "event": self.p_event}.get(kw)
            if not handler:
                raise self.err("unknown declaration %r" % kw, self.toks[self.i - 1][2])
            handler()
        return self.proto

    def p_const(self):
        name = self.new_name("a constant's name", r"[A-Z][A-Z0-9_]*")
        self.expect("=")
        self.proto.consts[name] = self.number()
        self.expect(";")

    def p_enum(self):
        name = self.new_name("an enum's name")
        self.expect(":")
        line = self.peek()[2]
        base = self.ident("an integer type")
        if base not in INT_TYPES:
            raise self.err("an enum's type is an integer type, not %r" % base, line)
        base = Int(base)
        lo, hi = base.bounds()
        self.expect("{")
        members, seen = [], set()
        while not self.accept("}"):
            line = self.peek()[2]
            m = self.ident("a member")
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", m) or m in seen:
                raise self.err("enum member %r: UPPER_CASE and unique" % m, line)
            self.expect("=")
            neg = self.accept("-")
            v = self.number()
            v = -v if neg else v
            if not lo <= v <= hi or v in [x[1] for x in members]:
                raise self.err("%s = %d: out of range or a duplicate value" % (m, v), line)
            self.expect(";")
            members.append((m, v))
            seen.add(m)
        if not members:
            raise self.err("enum %s has no members" % name)
        self.proto.enums.append(Enum(name, base, members))

    def p_fields(self):
        self.expect("{")
        fields, seen = [], set()
        while not self.accept("}"):
            line = self.peek()[2]
            fname = self.ident("a field's name")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", fname) or fname in seen:
                raise self.err("field %r: lower_case and unique" % fname, line)
            if fname.startswith("has_") or fname in C_KEYWORDS | PY_KEYWORDS:
                raise self.err("field %r: a name the generated code cannot use" % fname, line)
            self.expect(":")
            t = self.p_type()
            optional = self.accept("?")
            self.expect(";")
            fields.append(Field(fname, t, optional, line))
            seen.add(fname)
        return fields

    def p_struct(self):
        name = self.new_name("a struct's name")
        self.proto.structs.append(Struct(name, self.p_fields()))

    def p_ordinal(self, name):
        self.expect("=")
        line = self.peek()[2]
        ordinal = self.number("an ordinal")
        if not 1 <= ordinal <= 0xFFFFFFFF or ordinal in self.ordinals:
            raise self.err("ordinal %d of %s: 1..2^32-1 and unique" % (ordinal, name), line)
        self.ordinals[ordinal] = name
        return ordinal

    def p_request(self):
        name = self.new_name("a message's name")
        ordinal = self.p_ordinal(name)
        req = Struct(name + "_req", self.p_fields())
        self.expect("reply")
        rep = Struct(name + "_rep", self.p_fields())
        self.proto.messages.append(Message(name, ordinal, "request",
                                           [("req", req), ("rep", rep)]))

    def p_event(self):
        name = self.new_name("a message's name")
        ordinal = self.p_ordinal(name)
        evt = Struct(name + "_evt", self.p_fields())
        self.proto.messages.append(Message(name, ordinal, "event", [("evt", evt)]))

    def p_type(self):
        line = self.peek()[2]
        t = self.p_base_type(line)
        dims = []
        while self.accept("["):
            dims.append(self.size("a fixed array's length"))
            self.expect("]")
        # As in C, T[2][3] is two arrays of three: the last length is innermost.
        for n in reversed(dims):
            t = Fixed(t, n)
        return t

    def p_base_type(self, line):
        word = self.ident("a type")
        if word in INT_TYPES:
            return Int(word)
        if word == "bool":
            return Bool()
        if word in ("string", "bytes"):
            self.expect("<")
            n = self.size("a maximum length")
            self.expect(">")
            return String(n) if word == "string" else Bytes(n)
        if word == "array":
            self.expect("<")
            elem = self.p_type()
            self.expect(",")
            n = self.size("an array's maximum length")
            self.expect(">")
            return Array(elem, n)
        if word == "handle":
            return self.p_handle()
        return Ref(word, line)

    def p_handle(self):
        obj, rights = None, []
        if self.accept("<"):
            line = self.peek()[2]
            obj = self.ident("an object type")
            if obj == "any":
                obj = None
            elif obj not in OBJ_TYPES:
                raise self.err("unknown object type %r" % obj, line)
            if self.accept(","):
                while True:
                    line = self.peek()[2]
                    r = self.ident("a right")
                    if r not in RIGHTS or r in rights:
                        raise self.err("unknown or repeated right %r" % r, line)
                    rights.append(r)
                    if not self.accept("|"):
                        break
            self.expect(">")
        return Handle(obj, rights)


# ---- checks after parsing ----

def check(proto, path):
    """Resolve names, order the structs, refuse recursion and optional
    fields where C could not hold them, and compute every message's
    maximum size and handle count."""
    by_name = {s.name: s for s in proto.structs}
    by_name.update({e.name: e for e in proto.enums})

    def walk(t, line):
        if isinstance(t, Ref):
            if t.name not in by_name:
                raise CidlError("%s:%d: unknown type %r" % (path, line, t.name))
            t.target = by_name[t.name]
        elif isinstance(t, (Array, Fixed)):
            walk(t.elem, line)

    every = proto.structs + [b for m in proto.messages for _, b in m.bodies]
    for m in proto.messages:
        for _, b in m.bodies:
            if b.name in by_name:
                raise CidlError("%s: %s: the name of message %s's body is taken" %
                                (path, b.name, m.name))
    for s in every:
        for f in s.fields:
            walk(f.type, f.line)
    order, state = [], {}

    def visit(s, line):
        if state.get(s.name) == 1:
            raise CidlError("%s:%d: struct %s contains itself" % (path, line, s.name))
        if state.get(s.name) == 2:
            return
        state[s.name] = 1
        for f in s.fields:
            for u in used_structs(f.type):
                visit(u, f.line)
        state[s.name] = 2
        order.append(s)

    for s in proto.structs:
        visit(s, 0)
    proto.structs = order
    # An element of no bytes would let a few bytes of counts make a decoder
    # loop for long: arrays hold elements of one byte or more.
    for s in every:
        for f in s.fields:
            t = resolve(f.type)
            while isinstance(t, (Array, Fixed)):
                if max_bytes(t.elem) == 0:
                    raise CidlError("%s:%d: %s: an array of empty elements" % (path, f.line,
                                                                              f.name))
                t = resolve(t.elem)
    for m in proto.messages:
        for _, body in m.bodies:
            nbytes = HEADER_BYTES + max_bytes(body)
            nhandles = max_handles(body)
            if nbytes > MSG_MAX_BYTES or nhandles > MSG_MAX_HANDLES:
                raise CidlError("%s: message %s (%s) may need %d bytes and %d handles; a "
                                "channel carries %d and %d" % (path, m.name, body.name, nbytes,
                                                               nhandles, MSG_MAX_BYTES,
                                                               MSG_MAX_HANDLES))


def used_structs(t):
    t = resolve(t)
    if isinstance(t, Struct):
        return [t]
    if isinstance(t, (Array, Fixed)):
        return used_structs(t.elem)
    return []


def max_bytes(t):
    """The most bytes a value of type t (a Struct for a body) takes."""
    t = resolve(t)
    if isinstance(t, Struct):
        total = 0
        for f in t.fields:
            tag = 1 if f.optional and not isinstance(resolve(f.type), Handle) else 0
            total += tag + max_bytes(f.type)
        return total
    if isinstance(t, Int):
        return t.size
    if isinstance(t, Enum):
        return t.base.size
    if isinstance(t, Bool):
        return 1
    if isinstance(t, (String, Bytes)):
        return 4 + t.max
    if isinstance(t, Array):
        return 4 + t.max * max_bytes(t.elem)
    if isinstance(t, Fixed):
        return t.count * max_bytes(t.elem)
    if isinstance(t, Handle):
        return 4
    raise AssertionError(t)


def max_handles(t):
    t = resolve(t)
    if isinstance(t, Struct):
        return sum(max_handles(f.type) for f in t.fields)
    if isinstance(t, Array):
        return t.max * max_handles(t.elem)
    if isinstance(t, Fixed):
        return t.count * max_handles(t.elem)
    return 1 if isinstance(t, Handle) else 0


def load(path):
    """Parse and check one .cidl file; raises CidlError."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    proto = Parser(text, path).parse()
    check(proto, path)
    return proto
