"""Command palette entries: one per action the key bindings reach."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from textual.app import SystemCommand
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from reader.config_keys import BINDINGS as BINDING_INFO
from reader.tui.help import KeySection

Runner = Callable[[str, DOMNode], object]
"""Runs an action string in the namespace of a node (``App.run_action``)."""


def action_commands(
    sections: Sequence[tuple[KeySection, DOMNode]],
    keymap: Mapping[str, str],
    key_display: Callable[[Binding], str],
    run: Runner,
) -> Iterator[SystemCommand]:
    """Yield a palette command per binding id of each section.

    The title is the binding's description from the config table (its
    short footer label otherwise); the help line names the keys in force
    and the pane, so the palette also teaches the keys.
    """
    for (heading, bindings), namespace in sections:
        bindings_map = BindingsMap(bindings)
        bindings_map.apply_keymap(dict(keymap))
        keys_by_id: dict[str, list[str]] = {}
        first: dict[str, Binding] = {}
        for _key, binding in bindings_map:
            binding_id = binding.id or binding.action
            keys = keys_by_id.setdefault(binding_id, [])
            # A remapped binding of several default keys repeats its new key.
            if key_display(binding) not in keys:
                keys.append(key_display(binding))
            first.setdefault(binding_id, binding)
        for binding_id, binding in first.items():
            info = BINDING_INFO.get(binding_id)
            title = info.description if info is not None else binding.description
            keys = ", ".join(keys_by_id[binding_id])
            yield SystemCommand(
                title,
                f"{heading} · {keys}",
                _runner(run, binding.action, namespace),
            )


def _runner(run: Runner, action: str, namespace: DOMNode) -> Callable[[], object]:
    def run_action() -> object:
        return run(action, namespace)

    return run_action
