"""What a run leaves behind: the run folder and its files, report.html, the narrative, the
terminal summary and the belief and utility-space figures. Imports scenario, negotiation, analysis.
"""
