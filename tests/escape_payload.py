"""Text that a terminal would obey: the payload the injection walks put everywhere.

Every kind of sequence that does harm when a terminal receives it raw, each with printable
text around it: OSC 52 (writes the clipboard), OSC 0 and 2 (window title), OSC 8 (a link),
CSI 2J (clears the screen), DCS, 8-bit CSI/OSC/ST (C1 controls), BEL and bidi overrides.
"""

from __future__ import annotations

PAYLOAD = (
    "clip\x1b]52;c;UFdORUQ=\x07"
    "title\x1b]0;PWNED-TITLE\x1b\\"
    "name\x1b]2;PWNED-NAME\x07"
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\"
    "\x1b[2Jclear"
    "\x9b31mcsi8"
    "\x9d0;C1-TITLE\x9c"
    "dcs\x1bPq#0\x1b\\"
    "bell\x07bell"
    "\u202eevil\u202c\u2066iso\u2069"
)
VISIBLE_MARK = "␛]52;c;UFdORUQ="
"""How the payload's first sequence looks once made visible."""
