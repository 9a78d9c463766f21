"""Synthetic casualty-list scenarios with ground truth, for the demo, the tests and benchmarks."""

from marsad.synth.scenario import Scenario, generate
from marsad.synth.settings import Settings
from marsad.synth.write import write_scenario

__all__ = ["Scenario", "Settings", "generate", "write_scenario"]
