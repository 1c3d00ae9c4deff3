"""What a run leaves behind: the run folder and its files, report.html, the narrative, the
terminal summary and the utility-space figure. Imports scenario, negotiation and analysis.
"""
