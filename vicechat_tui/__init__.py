"""vicechat: a terminal workspace for writing documents section by section with AI chats."""

__version__ = "0.1.0"
