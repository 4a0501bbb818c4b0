"""Portals: their profiles (`profiles`, the shipped ones in `shipped/`), a profile made from a
pasted page (`discover`, `govwatch portals add`), and the catalogue of real portals
(`catalogue`)."""
