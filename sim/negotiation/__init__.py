"""The negotiation as a Mesa model: agents, tactics, the outcome space, text search, the
chair a player sits in, and `run` with its result. Imports only `sim.scenario`.
"""
