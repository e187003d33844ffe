"""vicechat's settings: a TOML file plus `VICECHAT_*` environment variables.

The file lives at `locations.config_file()`. Unknown or invalid keys raise a SettingsError
that names the file, the key and the reason. Provider API keys are read from environment
variables (or the file) and never stored elsewhere.

The whole (`Settings`, `load_settings`) is in `config`; the tables for what is reached over
the network (providers, web search, web pages) in `services`; the tables for how the parts
behave (research, jobs, UI, Edit with AI) in `features`; their base in `tables`.
"""

from vicechat_tui.core.settings.config import Settings, load_settings
from vicechat_tui.core.settings.features import (
    DEFAULT_QUICK_ACTIONS,
    MAX_QUICK_ACTIONS,
    AiEditSettings,
    CallBudget,
    JobSettings,
    QuickAction,
    ResearchCall,
    ResearchSettings,
    UiSettings,
)
from vicechat_tui.core.settings.services import (
    DEFAULT_BASE_URLS,
    ProviderKind,
    ProviderSettings,
    WebFetchSettings,
    WebSearchSettings,
)

__all__ = [
    "DEFAULT_BASE_URLS",
    "DEFAULT_QUICK_ACTIONS",
    "MAX_QUICK_ACTIONS",
    "AiEditSettings",
    "CallBudget",
    "JobSettings",
    "ProviderKind",
    "ProviderSettings",
    "QuickAction",
    "ResearchCall",
    "ResearchSettings",
    "Settings",
    "UiSettings",
    "WebFetchSettings",
    "WebSearchSettings",
    "load_settings",
]
