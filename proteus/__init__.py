"""Proteus: graph-native, explainable audience intelligence for telecom operators.

The public facade is small: settings, the graph runner, the error root and the main job.
Everything else lives in the stage subpackages.
"""

from proteus.errors import ProteusError
from proteus.graph import Graph
from proteus.settings import Settings, get_settings

__all__ = ["Graph", "ProteusError", "Settings", "get_settings"]
__version__ = "0.1.0"
