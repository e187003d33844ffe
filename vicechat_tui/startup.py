"""Start-up sequencing: the first screen from previews, the core when the person acts.

While Textual composes the workspace, a thread reads the tree's first page — and the section
remembered for this database, if any — with the standard library (`core.tree_preview`,
`core.place_preview`); the config file's TOML was parsed already (`ui_state.read_ui_preview`)
and a file that is not TOML is reported with the first frame. The core (settings validation,
SQLAlchemy, jobs recovery, providers) opens in a worker on the person's first key or click,
or when something needs it (`Workbench.open_core`) — at once when there is no preview (no
file yet, a migration due, PostgreSQL). The quit key does not open it: leaving right after
start is instant. Keys typed before the first screen is complete (the tree filled, the
remembered section reopened) are held and replayed then, so none lands in a pane still
empty. benchmarks/RESULTS.md, figure 9, says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message_pump import MessagePump

from vicechat_tui.failures import run_task
from vicechat_tui.screens.workspace_start import CoreOpened, PreviewRead

if TYPE_CHECKING:
    from concurrent.futures import Future

    from textual.app import App

    from vicechat_tui.core.settings import Settings
    from vicechat_tui.core.tree_preview import TreePreview
    from vicechat_tui.ui_state import UiPreview
    from vicechat_tui.workbench import Workbench

YOUNG_GC_THRESHOLD = 10_000
"""Allocations between young garbage collections (CPython's default: 700)."""
PERSON_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
"""What the person does that opens the core (if the first screen came from the preview)."""
QUIT_BINDING = "app.quit"
"""The binding whose keys leave without opening the core."""
HOLD_KEYS_SECONDS = 5.0
REPLAY_STEP_SECONDS = 1.0


async def handled_by(pump: MessagePump) -> None:
    """Wait until `pump` has handled what was posted to it before now (at most a second)."""
    import asyncio

    done = asyncio.Event()
    if pump.call_later(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), REPLAY_STEP_SECONDS)


"""Keys typed before the first screen is complete wait for it at most this long."""


def bound_keys(
    bindings: Iterable[BindingType], binding_id: str, keymap: dict[str, str]
) -> set[str]:
    """The keys of `binding_id` among `bindings`, as the keymap remaps them."""
    keys = keymap.get(binding_id)
    if keys is None:
        keys = next((b.key for b in bindings if isinstance(b, Binding) and b.id == binding_id), "")
    return {key.strip() for key in keys.split(",") if key.strip()}


class StartUp:
    """Runs the start-up sequence for `app`; the app forwards its mount and events here."""

    def __init__(
        self,
        app: App[Any],
        workbench: Workbench,
        ui: UiPreview,
        database_url: str | None,
        *,
        show_error: Callable[[BaseException], None],
    ) -> None:
        self.app = app
        self.workbench = workbench
        self.ui = ui
        self.database_url = database_url
        self.show_error = show_error
        self.core_requested = False
        self.tree_preview: TreePreview | None = None
        workbench.request_core = self.request_core
        workbench.on_first_screen = self.release_keys
        self._held: list[events.Key] | None = []
        """Keys typed before the first screen is complete (None: let through)."""
        self._reading = self._read_preview_meanwhile()

    def _read_preview_meanwhile(self) -> Future[TreePreview | None]:
        """Read the tree's first page (and the remembered section) in a thread while Textual
        composes the first frame."""
        import threading
        from concurrent.futures import Future

        from vicechat_tui.core.locations import resolve_database_url
        from vicechat_tui.core.tree_preview import read_tree_preview
        from vicechat_tui.ui_state import place_key, remembered_place
        from vicechat_tui.widgets.document_tree import DocumentTree

        settings, ui, chosen = self.workbench.settings, self.ui, self.database_url
        reading: Future[TreePreview | None] = Future()

        def read() -> None:
            try:
                url = resolve_database_url(
                    chosen or (settings.database_url if settings else ui.database_url)
                )
                user = settings.current_user() if settings else ui.current_user()
                place = remembered_place(place_key(url, user))
                section = (
                    (place.document_id, place.section_id)
                    if place is not None and place.section_id is not None
                    else None
                )
                reading.set_result(
                    read_tree_preview(url, user, DocumentTree.PAGE_SIZE, section=section)
                )
            except Exception as error:  # then the core opens at once and says what is wrong
                reading.set_exception(error)

        threading.Thread(target=read, name="tree-preview", daemon=True).start()
        return reading

    # -- the first frames ----------------------------------------------------------------------

    def mounted(self) -> None:
        """The app is mounted: say what is wrong with the config file, show the preview."""
        if self.ui.error is not None:
            self.show_error(self.ui.error)
        self.app.set_timer(HOLD_KEYS_SECONDS, self.release_keys)
        if self._reading.done() and self.app.screen_stack:  # usual: no hop through a task
            self._use_preview()
        else:
            run_task(self.app, self._show_preview(), description="Read the documents", group="core")

    async def _show_preview(self) -> None:
        import asyncio

        with contextlib.suppress(Exception):  # _use_preview says what to do without one
            await asyncio.wrap_future(self._reading)
        self._use_preview()

    def _use_preview(self) -> None:
        """The tree's first page without the core; the core at once when there is none."""
        preview = None if self._reading.exception() else self._reading.result()
        if preview is None or self.core_requested:
            self.request_core()
            return
        self.tree_preview = preview
        self.app.screen_stack[0].post_message(PreviewRead(preview))

    def noticed(self, event: events.Event) -> None:
        """An event reached the app: the person's first key or click opens the core (not
        the quit key: leaving must not wait for the database to open)."""
        if self.core_requested or not isinstance(event, PERSON_EVENTS):
            return
        if isinstance(event, events.Key) and self._is_quit_key(event):
            return
        self.request_core()

    def hold(self, event: events.Event) -> bool:
        """Keep a key typed before the first screen is complete (the tree filled, the
        remembered section reopened), to replay it then: it lands where the person sees the
        focus, not in a tree still empty or an editor not yet showing the section."""
        if self._held is None or not isinstance(event, events.Key):
            return False
        self._held.append(event)
        return True

    @property
    def holding_keys(self) -> bool:
        """Whether keys are still held (the first screen is not complete yet)."""
        return self._held is not None

    def release_keys(self) -> None:
        """Replay the held keys, in order (once)."""
        held, self._held = self._held, None
        if held:
            run_task(self.app, self._replay(held), description="Replay the keys", group="keys")

    async def _replay(self, held: list[events.Key]) -> None:
        """Each key once the one before has been handled wherever it went: posted together,
        a letter waited in the editor's queue while the quit key after it saved without it."""
        for event in held:  # fresh events: the held ones went through a dispatch
            self.app.post_message(events.Key(event.key, event.character))
            await handled_by(self.app)
            node: DOMNode | None = self.app.focused  # it bubbles up to the screen
            while node is not None and node is not self.app:
                await handled_by(node)
                node = node.parent

    def _is_quit_key(self, event: events.Key) -> bool:
        keys = bound_keys(type(self.app).BINDINGS, QUIT_BINDING, self.workbench.keymap)
        return any(alias in keys for alias in event.aliases)

    # -- the core ------------------------------------------------------------------------------

    def request_core(self) -> None:
        """Start opening the core (once)."""
        if not self.core_requested:
            self.core_requested = True
            run_task(self.app, self._open_core(), description="Open the database", group="core")

    async def _load_settings(self) -> Settings:
        """The full, validated settings (pydantic), loaded off the event loop; the defaults
        when the file is bad (reported here, or with the first frame if it is not TOML)."""
        import asyncio

        def load() -> tuple[Settings, Exception | None]:
            from vicechat_tui.core.errors import SettingsError
            from vicechat_tui.core.settings import Settings, load_settings

            if self.ui.error is not None:
                return Settings(), None  # said with the first frame
            try:
                return load_settings(parsed=self.ui.data), None
            except SettingsError as error:
                return Settings(), error

        settings, error = await asyncio.to_thread(load)
        if error is not None:
            self.show_error(error)
        return settings

    async def _open_core(self) -> None:
        import asyncio
        import importlib

        workbench, app = self.workbench, self.app
        if workbench.settings is None:
            workbench.settings = await self._load_settings()
        run_task(app, self._check_ui_settings(workbench.settings), description="Check [ui]")
        # SQLAlchemy takes ~0.5 s to import: do it off the event loop so keys stay live.
        await asyncio.to_thread(importlib.import_module, "vicechat_tui.core.runtime")
        from vicechat_tui.core.runtime import open_core

        try:
            core = await open_core(workbench.settings, database_url=self.database_url)
        except Exception as error:
            workbench.core_error = error
            workbench.core_settled.set()
            self.show_error(error)
            app.screen_stack[0].post_message(CoreOpened())
            return
        workbench.core = core
        workbench.core_settled.set()
        shown = self.tree_preview
        current = shown is not None and shown.matches(core.database.url, core.user)
        for screen in app.screen_stack:
            screen.post_message(CoreOpened(tree_current=current))
        try:  # now rather than on the first message sent: ~0.2 s off the event loop
            await asyncio.to_thread(core.providers.preload)
        except Exception:  # the first request reports it, in its own words
            app.log.warning("preloading the providers failed")
        app.call_after_refresh(tune_garbage_collector)

    async def _check_ui_settings(self, settings: Settings) -> None:
        """Say which of `[ui]`'s theme and keys are ignored (the app runs on its defaults)."""
        from vicechat_tui.ui_state import ui_settings_problems

        app = self.app
        problems = await ui_settings_problems(
            settings.ui.theme, settings.ui.keys, themes=app.available_themes, in_use=app.theme
        )
        if problems:
            app.notify(
                "\n".join(problems),
                title="Settings ignored",
                severity="warning",
                timeout=30,
                markup=False,
            )


def tune_garbage_collector() -> None:
    """Keep garbage collection pauses short while text streams and keys arrive.

    Freezing moves the start-up heap out of the collector's reach: otherwise every full
    collection walks it (~80 MB here) and stalls typing for 120–165 ms. The youngest
    generation's threshold goes from 700 to 10,000 allocations: a streamed reply allocates
    strips and segments that live for one redraw (1/15 s); at 700 a young collection ran
    every ~9 ms, found them alive and promoted them, and the promotions set off full
    collections of 40–60 ms seven times in eight seconds. At 10,000 most are freed before a
    collection sees them, and full collections stop while streaming; a young collection then
    takes ~5 ms (at 20,000 ~14 ms, for no fewer stalls). (benchmarks/RESULTS.md, figures 5
    and 6.)
    """
    import gc

    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, middle, oldest)
