"""Fillable Excel forms (Annex 3 月报表, Annex 4 领导小组成员表): plain data in, normalised .xlsx bytes out."""
