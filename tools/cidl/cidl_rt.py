# SPDX-License-Identifier: MIT
"""The Python binding's runtime (docs/cidl.md, "The Python binding"): the
wire format of lib/cidl/ written a second time, independently, so that the
golden files check one against the other. A generated module describes its
protocol's types with the classes below; values are plain Python: int, bool,
str (strings), bytes, list (arrays), dict (structs), an enum member's name,
None for an absent optional field, and any object for a handle.

Errors carry the same errno names as the C binding's -errno results, and a
decoder reports the first error in the same order as the C decoder."""

import struct as _struct

HEADER_BYTES = 16
MAGIC = 0x4943
WIRE_VERSION = 1
FLAG_REPLY = 0x01
FLAG_ERROR = 0x02
FLAGS_KNOWN = 0x03
NO_HANDLE = 0xFFFFFFFF
MAX_BYTES = 65536
MAX_HANDLES = 64
RIGHT_SAME_RIGHTS = 1 << 31
ERRNO = {"ENODATA": 61, "EBADMSG": 74, "EOVERFLOW": 75, "EBADF": 9, "EACCES": 13,
         "ENOSPC": 28, "EINVAL": 22, "EPROTONOSUPPORT": 93, "EOPNOTSUPP": 95}
OBJ_TYPES = {"channel": 1, "vmo": 2, "process": 3, "thread": 4, "irq": 5, "ioport": 6,
             "mmio": 7}
RIGHTS = {"READ": 1 << 0, "WRITE": 1 << 1, "DUPLICATE": 1 << 2, "TRANSFER": 1 << 3,
          "WAIT": 1 << 4, "MAP": 1 << 5, "EXECUTE": 1 << 6, "INSPECT": 1 << 7,
          "MANAGE": 1 << 8}


class CidlError(Exception):
    """Encoding or decoding failed; .errno is the name (e.g. "ENODATA")."""

    def __init__(self, errno, why):
        super().__init__("%s: %s" % (errno, why))
        self.errno = errno


class RemoteError(CidlError):
    """A decoded error reply: the peer answered -errno (.code, an int > 0)."""

    def __init__(self, code):
        names = {v: k for k, v in ERRNO.items()}
        super().__init__(names.get(code, "E%d" % code), "error reply")
        self.code = code


class Writer:
    def __init__(self):
        self.buf = bytearray()
        self.handles = []  # (handle value, object type the field requires or 0)

    def put(self, fmt, v):
        self.buf += _struct.pack("<" + fmt, v)


class Reader:
    def __init__(self, data, handles):
        self.data = bytes(data)
        self.pos = 0
        self.handles = handles  # (handle, type, rights) as a channel read reports them
        self.used = set()

    def take(self, n):
        if n > len(self.data) - self.pos:
            raise CidlError("ENODATA", "%d bytes at %d run past the end (%d)" %
                            (n, self.pos, len(self.data)))
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def get(self, fmt):
        return _struct.unpack("<" + fmt, self.take(_struct.calcsize("<" + fmt)))[0]


class Int:
    def __init__(self, name):
        self.name = name
        self.signed = name[0] == "i"
        self.size = int(name[1:]) // 8
        self.fmt = {1: "b", 2: "h", 4: "i", 8: "q"}[self.size]
        if not self.signed:
            self.fmt = self.fmt.upper()
        bits = self.size * 8
        self.lo, self.hi = ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed
                            else (0, (1 << bits) - 1))

    def encode(self, w, v):
        if isinstance(v, bool) or not isinstance(v, int) or not self.lo <= v <= self.hi:
            raise CidlError("EINVAL", "%r is not a %s" % (v, self.name))
        w.put(self.fmt, v)

    def decode(self, r):
        return r.get(self.fmt)


U8, U16, U32, U64 = Int("u8"), Int("u16"), Int("u32"), Int("u64")
I8, I16, I32, I64 = Int("i8"), Int("i16"), Int("i32"), Int("i64")


class Bool:
    def encode(self, w, v):
        if not isinstance(v, bool):
            raise CidlError("EINVAL", "%r is not a bool" % (v,))
        w.put("B", 1 if v else 0)

    def decode(self, r):
        v = r.get("B")
        if v > 1:
            raise CidlError("EBADMSG", "bool %d" % v)
        return v == 1


BOOL = Bool()


class Enum:
    def __init__(self, name, base, members):
        self.name = name
        self.base = base
        self.members = members  # name -> value
        self.names = {v: k for k, v in members.items()}

    def encode(self, w, v):
        if v not in self.members:
            raise CidlError("EINVAL", "%r is not a member of enum %s" % (v, self.name))
        self.base.encode(w, self.members[v])

    def decode(self, r):
        v = self.base.decode(r)
        if v not in self.names:
            raise CidlError("EBADMSG", "%d is not a member of enum %s" % (v, self.name))
        return self.names[v]


def _get_len(r, maximum):
    n = r.get("I")
    if n > maximum:
        raise CidlError("EOVERFLOW", "length %d past its maximum %d" % (n, maximum))
    return n


class Bytes:
    def __init__(self, maximum):
        self.max = maximum

    def encode(self, w, v):
        if not isinstance(v, (bytes, bytearray)) or len(v) > self.max:
            raise CidlError("EINVAL", "not bytes of at most %d" % self.max)
        w.put("I", len(v))
        w.buf += v

    def decode(self, r):
        return r.take(_get_len(r, self.max))


class String:
    def __init__(self, maximum):
        self.max = maximum

    def encode(self, w, v):
        try:
            b = v.encode("utf-8")
        except (AttributeError, UnicodeError):
            raise CidlError("EINVAL", "%r is not a string of UTF-8" % (v,)) from None
        if len(b) > self.max:
            raise CidlError("EINVAL", "string of %d bytes past %d" % (len(b), self.max))
        w.put("I", len(b))
        w.buf += b

    def decode(self, r):
        b = r.take(_get_len(r, self.max))
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            raise CidlError("EBADMSG", "string is not UTF-8") from None


class Array:
    def __init__(self, elem, maximum):
        self.elem = elem
        self.max = maximum

    def encode(self, w, v):
        if not isinstance(v, (list, tuple)) or len(v) > self.max:
            raise CidlError("EINVAL", "not a list of at most %d" % self.max)
        w.put("I", len(v))
        for x in v:
            self.elem.encode(w, x)

    def decode(self, r):
        return [self.elem.decode(r) for _ in range(_get_len(r, self.max))]


class Fixed:
    def __init__(self, elem, count):
        self.elem = elem
        self.count = count

    def encode(self, w, v):
        if not isinstance(v, (list, tuple)) or len(v) != self.count:
            raise CidlError("EINVAL", "not a list of %d" % self.count)
        for x in v:
            self.elem.encode(w, x)

    def decode(self, r):
        return [self.elem.decode(r) for _ in range(self.count)]


class Handle:
    def __init__(self, obj, rights):
        self.obj = obj  # an OBJ_TYPES key or None (any)
        self.type = OBJ_TYPES[obj] if obj else 0
        self.rights = 0
        for name in rights:
            self.rights |= RIGHTS[name]

    def encode(self, w, v, optional=False):
        if v is None:
            if not optional:
                raise CidlError("EINVAL", "a required handle is absent")
            w.put("I", NO_HANDLE)
            return
        w.put("I", len(w.handles))
        w.handles.append((v, self.type))

    def decode(self, r, optional=False):
        i = r.get("I")
        if i == NO_HANDLE:
            if not optional:
                raise CidlError("EBADF", "a required handle is absent")
            return None
        if i >= len(r.handles) or i >= MAX_HANDLES or i in r.used:
            raise CidlError("EBADF", "handle index %d wrong or used twice" % i)
        r.used.add(i)
        h, typ, rights = r.handles[i]
        if (self.type and typ != self.type) or (rights & self.rights) != self.rights:
            raise CidlError("EACCES", "handle %d: type %d rights %#x, needs type %d rights %#x"
                            % (i, typ, rights, self.type, self.rights))
        return h


class Struct:
    def __init__(self, name, fields):
        self.name = name
        self.fields = fields  # (name, type, optional)

    def encode(self, w, v):
        if not isinstance(v, dict) or set(v) - {f[0] for f in self.fields}:
            raise CidlError("EINVAL", "%s: not a dict of its fields" % self.name)
        for name, t, optional in self.fields:
            x = v.get(name)
            if isinstance(t, Handle):
                t.encode(w, x, optional)
            elif optional:
                w.put("B", 0 if x is None else 1)
                if x is not None:
                    t.encode(w, x)
            else:
                if name not in v:
                    raise CidlError("EINVAL", "%s: field %s missing" % (self.name, name))
                t.encode(w, x)

    def decode(self, r):
        v = {}
        for name, t, optional in self.fields:
            if isinstance(t, Handle):
                v[name] = t.decode(r, optional)
            elif optional:
                v[name] = t.decode(r) if BOOL.decode(r) else None
            else:
                v[name] = t.decode(r)
        return v


def peek(data):
    """The header's (ordinal, flags, version, body length), checked as cidl_peek()."""
    if len(data) < HEADER_BYTES:
        raise CidlError("ENODATA", "%d bytes: shorter than a header" % len(data))
    magic, wire, flags, ordinal, body_len, version, reserved = _struct.unpack_from(
        "<HBBIIHH", data)
    if magic != MAGIC:
        raise CidlError("EBADMSG", "magic %#x" % magic)
    if wire != WIRE_VERSION:
        raise CidlError("EPROTONOSUPPORT", "wire format version %d" % wire)
    if flags & ~FLAGS_KNOWN or flags == FLAG_ERROR or reserved:
        raise CidlError("EBADMSG", "flags %#x, reserved %#x" % (flags, reserved))
    if body_len > len(data) - HEADER_BYTES:
        raise CidlError("ENODATA", "body length %d past the end" % body_len)
    if body_len < len(data) - HEADER_BYTES:
        raise CidlError("EBADMSG", "bytes after the body")
    return ordinal, flags, version, body_len


class Message:
    """One message body: a request (req), its reply (rep) or an event (evt)."""

    def __init__(self, name, ordinal, kind, version, body):
        self.name = name
        self.ordinal = ordinal
        self.kind = kind
        self.version = version
        self.body = body
        self.flags = FLAG_REPLY if kind == "rep" else 0

    def encode(self, value):
        """(bytes, [(handle, required object type or 0)]) or CidlError."""
        w = Writer()
        w.buf += _struct.pack("<HBBIIHH", MAGIC, WIRE_VERSION, self.flags, self.ordinal, 0,
                              self.version, 0)
        self.body.encode(w, value)
        if len(w.buf) > MAX_BYTES:
            raise CidlError("EINVAL", "%d bytes" % len(w.buf))
        _struct.pack_into("<I", w.buf, 8, len(w.buf) - HEADER_BYTES)
        return bytes(w.buf), w.handles

    def decode(self, data, handles=()):
        """The value, from bytes and [(handle, type, rights)]; or CidlError."""
        r = Reader(data, list(handles))
        ordinal, flags, _, body_len = peek(r.data)
        r.pos = HEADER_BYTES
        if len(r.handles) > MAX_HANDLES:
            raise CidlError("EBADF", "%d handles" % len(r.handles))
        if ordinal != self.ordinal:
            raise CidlError("EBADMSG", "ordinal %d, not %d" % (ordinal, self.ordinal))
        if self.flags == FLAG_REPLY and flags == FLAG_REPLY | FLAG_ERROR:
            return self._error_reply(r, body_len)
        if flags != self.flags:
            raise CidlError("EBADMSG", "flags %#x, not %#x" % (flags, self.flags))
        v = self.body.decode(r)
        if r.pos != len(r.data):
            raise CidlError("EBADMSG", "%d bytes after the last field" % (len(r.data) - r.pos))
        if len(r.used) != len(r.handles):
            raise CidlError("EBADF", "a handle no field took")
        return v

    def _error_reply(self, r, body_len):
        if body_len != 4:
            raise CidlError("ENODATA" if body_len < 4 else "EBADMSG", "error reply's body")
        if r.handles:
            raise CidlError("EBADF", "handles in an error reply")
        e = r.get("i")
        if not -4095 <= e <= -1:
            raise CidlError("EBADMSG", "error reply %d" % e)
        raise RemoteError(-e)

    def encode_error(self, err):
        """An error reply to this request carrying -err (err > 0)."""
        if not 1 <= err <= 4095:
            raise CidlError("EINVAL", "errno %d" % err)
        return _struct.pack("<HBBIIHHi", MAGIC, WIRE_VERSION, FLAG_REPLY | FLAG_ERROR,
                            self.ordinal, 4, self.version, 0, -err)


def decode_any(messages, data, handles=()):
    """(body name, value) of a message of a protocol (its module's MESSAGES),
    found by the header's ordinal and flags; CidlError as Message.decode, and
    EOPNOTSUPP for an ordinal the protocol does not have."""
    ordinal, flags, _, _ = peek(data)
    for name, m in messages.items():
        if m.ordinal == ordinal and m.flags == flags & FLAG_REPLY:
            return name, m.decode(data, handles)
    raise CidlError("EOPNOTSUPP", "no message of ordinal %d and flags %#x" % (ordinal, flags))


def from_json(t, j):
    """A value of type t from its JSON description (bytes are hex strings)."""
    if isinstance(t, Bytes):
        return bytes.fromhex(j)
    if isinstance(t, (Array, Fixed)):
        return [from_json(t.elem, x) for x in j]
    if isinstance(t, Struct):
        return {name: (None if j.get(name) is None else from_json(ft, j[name]))
                for name, ft, _ in t.fields if name in j}
    return j


def to_json(t, v):
    """The JSON description of a value of type t."""
    if v is None:
        return None
    if isinstance(t, Bytes):
        return v.hex()
    if isinstance(t, (Array, Fixed)):
        return [to_json(t.elem, x) for x in v]
    if isinstance(t, Struct):
        return {name: to_json(ft, v.get(name)) for name, ft, _ in t.fields}
    return v
