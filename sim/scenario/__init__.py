"""What a scenario is and how it is read: frozen dataclasses, the located YAML reader,
overrides, the evidence base and every bound an input must keep. Imports nothing else of `sim`.
"""
