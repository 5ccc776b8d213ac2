"""Layout: the GB/T 9704-2012 profile (numbers keyed by clause) and the font set-up."""
