"""Content Taxonomy 3.1 interests to IAB Audience Taxonomy 1.1 segment ids (OpenRTB segtax 4).

The taxonomy stage does not map Content 3.1 to Audience 1.1, so this small table does, for
the Content 3.1 categories the built-in taxonomy and the generator use. An interest without
an entry maps through its nearest mapped ancestor; Audience 1.1 interests (`a1:`) map to
themselves. Ids on the right are official Audience 1.1 unique ids from the "Interest" branch.
"""

from __future__ import annotations

from collections.abc import Iterable

SEGTAX_AUDIENCE_1_1 = 4

CONTENT_TO_AUDIENCE: dict[str, str] = {
    "c3:1": "243",        # Automotive -> Interest | Automotive
    "c3:27": "255",       # Motorcycles -> Automotive | Motorcycles
    "c3:52": "268",       # Business and Finance
    "c3:80": "295",       # Economy -> Business and Finance | Economy
    "c3:210": "368",      # Food & Drink
    "c3:216": "371",      # Cooking
    "c3:214": "380",      # World Cuisines
    "c3:223": "406",      # Healthy Living
    "c3:225": "408",      # Fitness and Exercise
    "c3:274": "457",      # Home & Garden
    "c3:275": "458",      # Gardening
    "c3:280": "460",      # Home Improvement
    "c3:391": "534",      # Personal Finance
    "c3:410": "538",      # Personal Investing
    "c3:422": "541",      # Pets
    "c3:425": "544",      # Dogs
    "c3:464": "207",      # Science -> Academic Interests
    "c3:472": "223",      # Space and Astronomy -> Physical Science and Engineering
    "c3:483": "607",      # Sports
    "c3:484": "608",      # American Football
    "c3:518": "610",      # Auto Racing
    "c3:547": "614",      # Basketball
    "c3:491": "624",      # Cricket
    "c3:492": "625",      # Cycling
    "c3:512": "644",      # Golf
    "c3:527": "657",      # Rugby
    "c3:533": "663",      # Soccer
    "c3:539": "669",      # Tennis
    "c3:552": "676",      # Style & Fashion
    "c3:553": "677",      # Beauty
    "c3:596": "687",      # Technology & Computing
    "c3:597": "688",      # Artificial Intelligence
    "c3:632": "703",      # Consumer Electronics
    "c3:653": "719",      # Travel
    "c3:655": "719",      # Travel Locations -> Travel
    "c3:680": "733",      # Video Gaming
    "c3:682": "735",      # eSports
    "c3:SPSHQ5": "706",   # Genres (TV and film genres) -> Television
    "c3:JLBCU7": "581",   # Entertainment -> Pop Culture
    "c3:338": "481",      # Music -> Music and Audio
}


def audience_id(interest: str, parents: dict[str, str | None]) -> str | None:
    """The Audience 1.1 id of an interest id, walking up to the nearest mapped ancestor."""
    if interest.startswith("a1:"):
        return interest.split(":", 1)[1]
    seen: set[str] = set()
    node: str | None = interest
    while node is not None and node not in seen:
        if node in CONTENT_TO_AUDIENCE:
            return CONTENT_TO_AUDIENCE[node]
        seen.add(node)
        node = parents.get(node)
    return None


def audience_ids(interests: Iterable[str], parents: dict[str, str | None]) -> list[str]:
    found = {audience_id(i, parents) for i in interests}
    return sorted((x for x in found if x is not None), key=lambda x: (len(x), x))
