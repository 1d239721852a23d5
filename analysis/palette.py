"""The package's colours, without matplotlib: the colour-blind-safe palette, France always the same
colour, one colour per variant and per claim status, the sequential and diverging scales.

:mod:`analysis.plotting` re-exports every name (figures use ``plotting.FRANCE_COLOUR``); the report,
which only needs the colours for its tables and headings, imports this module and not matplotlib
(about half a second per process). The palette is Okabe and Ito's (2008) eight colours,
distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

#: Okabe–Ito palette (name: hex), in the order the package uses it.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

FRANCE_COLOUR = OKABE_ITO["blue"]          # France, on every figure
HIGHLIGHT_COLOUR = OKABE_ITO["vermillion"]  # reference lines (OECD averages) and second highlight
OTHER_COLOUR = "#BBBBBB"                    # every other country / neutral bars
#: Categorical palette (France's blue first); seaborn's default colour cycle.
PALETTE = [OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green", "orange",
                                        "reddish_purple", "sky_blue", "yellow", "black")]
#: One colour per procurement-framework variant (today's baseline in grey).
VARIANT_COLOURS = {
    "V0": "#7F7F7F",
    "V1": OKABE_ITO["orange"],
    "V2": OKABE_ITO["bluish_green"],
    "V3": OKABE_ITO["blue"],
    "V4": OKABE_ITO["reddish_purple"],
}
#: Colour of a claim's status (ledger figures and the report's ledger table).
STATUS_COLOURS = {
    "reproduced": OKABE_ITO["bluish_green"],
    "derived": OKABE_ITO["sky_blue"],
    "input": "#999999",
    "revised": OKABE_ITO["orange"],
    "undecidable": OKABE_ITO["yellow"],
    "discrepancy": OKABE_ITO["vermillion"],
}
#: Sequential scale (light to dark, perceptually uniform, readable in grey) and diverging scale
#: (purple–orange: no red–green opposition). Use these names as ``cmap=``.
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr"
GRID_COLOUR = "#E5E5E5"
SOURCE_TEXT_COLOUR = "#444444"
