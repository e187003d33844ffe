"""The vicechat application: wiring only — settings, core, themes, keys and error handling.

`make_app` is the one factory (the CLI and the tests use it). The workspace is composed at
once. Right after the first frame the tree's first page is read from the SQLite file with the
standard library (`core.tree_preview`); the core (settings validation, SQLAlchemy, jobs
recovery, providers) opens in a worker on the person's first key or click, or when something
needs it (`Workbench.open_core`) — at once when there is no preview (no file yet, a
migration due, PostgreSQL). benchmarks/RESULTS.md, figure 9, says why.
"""

from __future__ import annotations

import contextlib
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
from vicechat_tui.screens.workspace import CoreOpened, PreviewRead, WorkspaceScreen
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
    from concurrent.futures import Future

    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.settings import Settings
    from vicechat_tui.core.tree_preview import TreePreview

DEFAULT_THEME = "textual-dark"
YOUNG_GC_THRESHOLD = 10_000
"""Allocations between young garbage collections (CPython's default: 700)."""
SAVE_ON_SIGNAL_SECONDS = 5.0
"""How long a signal's save may take before the app leaves anyway."""
PERSON_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
"""What the person does that opens the core (if the first screen came from the preview)."""


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
        self.workbench.request_core = self._request_core
        self._preview = preview
        self._reading = self._read_preview_meanwhile()
        self._tree_preview: TreePreview | None = None
        self._core_requested = False
        self._configured_theme = preview.theme
        self._startup_error = startup_error
        self._theme_restored = False
        self._repeats = RepeatFilter()
        self._exit_signals = ExitSignals(self._exit_on_signal)

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
        if usable != self.keymap:  # (said once the settings are read: _check_ui_settings)
            self.keymap.clear()
            self.keymap.update(usable)
        if self.keymap:
            self.set_keymap(self.keymap)
        if self._startup_error is not None:
            self.show_error(self._startup_error)
        if self._reading.done() and self.screen_stack:  # the usual case: no hop through a task
            self._use_preview()
        else:
            run_task(self, self._show_preview(), description="Read the documents", group="core")

    def _read_preview_meanwhile(self) -> Future[TreePreview | None]:
        """Read the tree's first page in a thread while Textual composes the first frame."""
        import threading
        from concurrent.futures import Future

        from vicechat_tui.core.locations import resolve_database_url
        from vicechat_tui.core.tree_preview import read_tree_preview
        from vicechat_tui.widgets.document_tree import DocumentTree

        settings, preview = self.workbench.settings, self._preview
        reading: Future[TreePreview | None] = Future()

        def read() -> None:
            try:
                url = resolve_database_url(
                    self.database_url
                    or (settings.database_url if settings else preview.database_url)
                )
                user = settings.current_user() if settings else preview.current_user()
                reading.set_result(read_tree_preview(url, user, DocumentTree.PAGE_SIZE))
            except Exception as error:  # then the core opens at once and says what is wrong
                reading.set_exception(error)

        threading.Thread(target=read, name="tree-preview", daemon=True).start()
        return reading

    async def _show_preview(self) -> None:
        import asyncio

        with contextlib.suppress(Exception):  # _use_preview says what to do without one
            await asyncio.wrap_future(self._reading)
        self._use_preview()

    def _use_preview(self) -> None:
        """The tree's first page without the core; the core at once when there is none."""
        preview = None if self._reading.exception() else self._reading.result()
        if preview is None or self._core_requested:
            self._request_core()
            return
        self._tree_preview = preview
        self.screen_stack[0].post_message(PreviewRead(preview))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, PERSON_EVENTS) and not self._core_requested:
            self._request_core()
        if isinstance(event, events.Key):
            as_command(event)
        await super().on_event(event)

    def _request_core(self) -> None:
        if not self._core_requested:
            self._core_requested = True
            run_task(self, self._open_core(), description="Open the database", group="core")

    async def _load_settings(self) -> Settings:
        """The full, validated settings (pydantic), loaded off the event loop."""
        import asyncio

        def load() -> tuple[Settings, Exception | None]:
            from vicechat_tui.core.errors import SettingsError
            from vicechat_tui.core.settings import Settings, load_settings

            try:
                return load_settings(parsed=self._preview.data), None
            except SettingsError as error:
                return Settings(), error

        settings, error = await asyncio.to_thread(load)
        if error is not None:
            self.show_error(error)
        return settings

    async def _open_core(self) -> None:
        import asyncio
        import importlib

        workbench = self.workbench
        if workbench.settings is None:
            workbench.settings = await self._load_settings()
        run_task(self, self._check_ui_settings(workbench.settings), description="Check [ui]")
        # SQLAlchemy takes ~0.5 s to import: do it off the event loop so keys stay live.
        await asyncio.to_thread(importlib.import_module, "vicechat_tui.core.runtime")
        from vicechat_tui.core.runtime import open_core

        try:
            core = await open_core(workbench.settings, database_url=self.database_url)
        except Exception as error:
            workbench.core_error = error
            workbench.core_settled.set()
            self.show_error(error)
            self.screen_stack[0].post_message(CoreOpened())
            return
        workbench.core = core
        workbench.core_settled.set()
        shown = self._tree_preview
        current = shown is not None and shown.matches(core.database.url, core.user)
        for screen in self.screen_stack:
            screen.post_message(CoreOpened(tree_current=current))
        try:  # now rather than on the first message sent: ~0.2 s off the event loop
            await asyncio.to_thread(core.providers.preload)
        except Exception:  # the first request reports it, in its own words
            self.log.warning("preloading the providers failed")
        self.call_after_refresh(self._tune_garbage_collector)

    def _tune_garbage_collector(self) -> None:
        """Keep garbage collection pauses short while text streams and keys arrive.

        Freezing moves the start-up heap out of the collector's reach: otherwise every full
        collection walks it (~80 MB here) and stalls typing for 120–165 ms. The youngest
        generation's threshold goes from 700 to 10,000 allocations: a streamed reply
        allocates strips and segments that live for one redraw (1/15 s); at 700 a young
        collection ran every ~9 ms, found them alive and promoted them, and the promotions
        set off full collections of 40–60 ms seven times in eight seconds. At 10,000 most
        are freed before a collection sees them, and full collections stop while streaming;
        a young collection then takes ~5 ms (at 20,000 ~14 ms, for no fewer stalls).
        (benchmarks/RESULTS.md, figures 5 and 6.)
        """
        import gc

        gc.collect()
        gc.freeze()
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_GC_THRESHOLD, middle, oldest)

    async def _check_ui_settings(self, settings: Settings) -> None:
        """Say which of `[ui]`'s theme and keys are ignored (the app runs on its defaults)."""
        from vicechat_tui.ui_state import ui_settings_problems

        problems = await ui_settings_problems(
            settings.ui.theme, settings.ui.keys, themes=self.available_themes, in_use=self.theme
        )
        if problems:
            self.notify(
                "\n".join(problems),
                title="Settings ignored",
                severity="warning",
                timeout=30,
                markup=False,
            )

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
        """Save what is being edited (awaited), then leave; stay if the save failed."""
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
