"""The vicechat application: wiring only — settings, core, themes, keys and error handling.

`make_app` is the one factory (the CLI and the tests use it). The workspace is composed at
once; `startup.StartUp` fills it from previews read without the core and opens the core when
the person acts (benchmarks/RESULTS.md, figure 9, says why).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from vicechat_tui.commands import WorkspaceCommands
from vicechat_tui.exit_signals import ExitSignals
from vicechat_tui.failures import RepeatFilter, TaskFailed, describe, run_task
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.startup import StartUp
from vicechat_tui.ui_state import (
    UiPreview,
    read_ui_preview,
    remember_theme,
    remembered_theme,
    usable_keys,
)
from vicechat_tui.widgets.command_keys import as_command
from vicechat_tui.workbench import Workbench, utc_now

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.settings import Settings

DEFAULT_THEME = "textual-dark"
SAVE_ON_SIGNAL_SECONDS = 5.0
"""How long a signal's save may take before the app leaves anyway."""


class VicechatApp(App[int]):
    """Write documents section by section, with an AI chat per section."""

    CSS_PATH = "vicechat.tcss"
    TITLE = "vicechat"
    COMMANDS = App.COMMANDS | {WorkspaceCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
        Binding("f1", "help", "Help", id="app.help"),
        Binding(
            "f6",
            "screen.focus_next_pane",
            "Next pane",
            tooltip="Move the focus to the next pane: tree → editor → chat",
            id="app.focus_next_pane",
            priority=True,
        ),
        Binding(
            "shift+f6",
            "screen.focus_previous_pane",
            "Previous pane",
            show=False,
            id="app.focus_previous_pane",
            priority=True,
        ),
    ]

    def __init__(
        self,
        settings: Settings | None,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        startup_error: Exception | None = None,
    ) -> None:
        """`settings` None: read them (and report a bad file) after the first frame."""
        super().__init__()
        self.database_url = database_url
        preview = (
            read_ui_preview()
            if settings is None
            else UiPreview(settings.ui.theme, dict(settings.ui.keys))
        )
        self.workbench = Workbench(settings, clock or utc_now, keymap=dict(preview.keys))
        self.startup = StartUp(
            self, self.workbench, preview, database_url, show_error=self.show_error
        )
        self._configured_theme = preview.theme
        self._startup_error = startup_error
        self._theme_restored = False
        self._repeats = RepeatFilter()
        self._exit_signals = ExitSignals(self._exit_on_signal)
        self._warned_of_drafts = False
        """The quit key said once that an unsent chat message (not kept on disk) would be lost."""

    @property
    def core(self) -> VicechatCore | None:
        """The open core (None while it opens, or when it could not be opened)."""
        return self.workbench.core

    @property
    def settings(self) -> Settings | None:
        return self.workbench.settings

    @property
    def keymap(self) -> dict[str, str]:
        return self.workbench.keymap

    # -- start-up ----------------------------------------------------------------------------

    def get_default_screen(self) -> WorkspaceScreen:
        return WorkspaceScreen(self.workbench)

    def on_mount(self) -> None:
        self._exit_signals.install()
        self._restore_theme()
        usable = usable_keys(self.keymap)  # a key that cannot be bound keeps its default
        if usable != self.keymap:  # (said once the settings are read: StartUp)
            self.keymap.clear()
            self.keymap.update(usable)
        if self.keymap:
            self.set_keymap(self.keymap)
        if self._startup_error is not None:
            self.show_error(self._startup_error)
        self.startup.mounted()

    async def on_event(self, event: events.Event) -> None:
        self.startup.noticed(event)
        if self.startup.hold(event):
            return
        if isinstance(event, events.Key):
            as_command(event)
        await super().on_event(event)

    async def on_unmount(self) -> None:
        self._exit_signals.remove()
        if self.workbench.core is not None:
            core, self.workbench.core = self.workbench.core, None
            await core.aclose()

    # -- themes ------------------------------------------------------------------------------

    def _restore_theme(self) -> None:
        for name in (remembered_theme(), self._configured_theme, DEFAULT_THEME):
            if name and name in self.available_themes:
                self.theme = name
                break
        self._theme_restored = True

    def watch_theme(self, theme: str) -> None:
        if self._theme_restored:
            remember_theme(theme)

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, error: BaseException) -> None:
        """The one place failures reach the person: a dialog for lasting trouble, a
        notification for news; the same error again within seconds is not repeated."""
        from vicechat_tui.core.database_errors import database_error

        shown = describe(database_error(error) or error)  # never SQL, whatever slipped through
        self.log.error(shown.title, shown.message, shown.detail or "")
        if not self._repeats.first_time(shown):
            return
        if shown.how == "notification":
            self.notify(shown.message, title=shown.title, severity="error", timeout=8, markup=False)
            return
        from vicechat_tui.screens.error import ErrorScreen

        self.push_screen(ErrorScreen(shown.title, shown.message))

    def on_task_failed(self, message: TaskFailed) -> None:
        self.show_error(message.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    # -- actions -----------------------------------------------------------------------------

    def action_help(self) -> None:
        from vicechat_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.workbench.keymap))

    # -- leaving on a signal -------------------------------------------------------------------

    def _exit_on_signal(self, signum: int) -> None:
        run_task(self, self._save_and_exit(signum), description="Save before exiting")

    async def _save_and_exit(self, signum: int) -> None:
        """Save the section being edited (for a few seconds at most), then leave whatever
        happened: nobody may be left to answer a dialog."""
        import asyncio

        try:
            for screen in self.screen_stack:
                if isinstance(screen, WorkspaceScreen):
                    await asyncio.wait_for(screen.flush(), SAVE_ON_SIGNAL_SECONDS)
        finally:
            self.exit(return_code=128 + signum)

    async def action_quit(self) -> None:
        """Save what is being edited (awaited), then leave; stay if the save failed, or (once)
        when a message typed in a chat is not sent and could not be kept on disk."""
        for screen in self.screen_stack:
            if (
                isinstance(screen, WorkspaceScreen)
                and not screen.discard_on_quit
                and not await screen.flush()
            ):
                self.notify(
                    "The section could not be saved; resolve it or quit again to discard.",
                    title="Unsaved changes",
                    severity="warning",
                )
                screen.discard_on_quit = True
                return
            if isinstance(screen, WorkspaceScreen) and not self._warned_of_drafts:
                drafts = screen.chat_pane.unsent_drafts()
                if drafts and not await screen.drafts.flush():  # kept on disk: no warning
                    where = "a chat" if drafts == 1 else f"{drafts} chats"
                    self.notify(
                        f"A message typed in {where} is not sent and could not be kept on "
                        "disk; quitting loses it. "
                        "Send it, or quit again to leave anyway.",
                        title="Unsent message",
                        severity="warning",
                    )
                    self._warned_of_drafts = True
                    return
        self.exit(0)


def make_app(
    settings: Settings | None,
    database_url: str | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    startup_error: Exception | None = None,
) -> VicechatApp:
    """Build the app (the CLI and the tests both use this)."""
    return VicechatApp(settings, database_url, clock=clock, startup_error=startup_error)


def run_app(settings: Settings | None, database_url: str | None = None) -> int:
    """Run the UI until it quits; returns the exit code.

    With `settings` None (what the CLI passes) the first frame is drawn from a quick read of
    `[ui]`, and the full settings are loaded right after it; a bad config file opens the app
    on the defaults and shows the error instead of failing.
    """
    app = make_app(settings, database_url)
    result = app.run()
    return app.return_code if app.return_code is not None else int(result or 0)
