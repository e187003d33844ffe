"""The style a component class gives a piece of text, with its theme colours resolved.

`get_component_rich_style(name, partial=True)` keeps only what the class sets, but a colour
such as `$text-muted` or `$text` is "auto" (a contrast with the background it is drawn on),
and without a background it comes out white: muted text and the tree's draft marker were
white on the light theme's light grey. Every partial component style goes through
`component_style` (a test enumerates the calls), which resolves the colour on the widget's
background.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def component_style(node: Widget, name: str) -> Style:
    """What component class `name` of `node` sets (colour, background, text style), with
    an "auto" colour resolved against the background the text is drawn on."""
    styles = node.get_component_styles(name)
    style = styles.partial_rich_style
    if styles.has_rule("color"):
        resolved = node.get_component_rich_style(name, partial=False)
        style += Style(color=resolved.color)
    return style
