"""The classroom: the page (`negsim app`) and its pure parts, terminal play (`negsim play`),
a player's turn and the comparison with the model. Imports every stage up to reporting.
"""
