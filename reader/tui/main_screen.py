"""The reader's main screen, whose footer shows the keys of the focused pane.

Each pane names the binding ids that matter while it has the focus in
``FOOTER_KEYS``, in footer order, after the help and quit keys of
``LEADING_KEYS``: a footer too narrow for all keys cuts off the last ones,
so the key that lists the others stays visible. Those are shown whether the
pane or the app binds them, and every other binding is hidden from the
footer but still works. The keys shown come from the bindings in force, so
a key remapped in the config is shown remapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

from textual.binding import ActiveBinding
from textual.dom import DOMNode
from textual.screen import Screen

from reader.config_keys import BINDINGS as BINDING_INFO

LEADING_KEYS = ("app.help", "app.quit")
"""Binding ids shown first in every pane's footer."""


class FooterKeys:
    """A pane that chooses the footer's keys while it has the focus."""

    FOOTER_KEYS: ClassVar[tuple[str, ...]] = ()
    """Binding ids the footer shows, in order, while the pane is focused."""


class MainScreen(Screen[None]):
    """The screen of the three panes; see the module docstring."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The bindings in force, with ``show`` set for the focused pane's
        footer keys only, and those first, in the pane's order."""
        bindings = super().active_bindings
        pane = self._footer_pane()
        if pane is None:
            return bindings
        order = [*LEADING_KEYS, *(key for key in pane if key not in LEADING_KEYS)]
        rank = {binding_id: number for number, binding_id in enumerate(order)}
        shown: list[tuple[tuple[int, int], str, ActiveBinding]] = []
        hidden: dict[str, ActiveBinding] = {}
        for key, active in bindings.items():
            number = rank.get(active.binding.id or "")
            if number is None:
                binding = replace(active.binding, show=False)
                hidden[key] = active._replace(binding=binding)
            else:
                binding = replace(active.binding, show=True)
                place = (number, self._key_position(binding.id or "", key))
                shown.append((place, key, active._replace(binding=binding)))
        shown.sort(key=lambda item: item[0])
        return {key: active for _number, key, active in shown} | hidden

    def _key_position(self, binding_id: str, key: str) -> int:
        # The footer shows one key per binding: the first one the config or
        # the default lists ("j" of "j,down"), not the first one bound.
        keymap: Mapping[str, str] = getattr(self.app, "keymap", {})
        info = BINDING_INFO.get(binding_id)
        keys = keymap.get(binding_id) or (info.keys if info is not None else "")
        listed = keys.split(",")
        return listed.index(key) if key in listed else len(listed)

    def _footer_pane(self) -> tuple[str, ...] | None:
        node: DOMNode | None = self.focused
        while node is not None:
            if isinstance(node, FooterKeys):
                return node.FOOTER_KEYS
            node = node.parent
        return None
