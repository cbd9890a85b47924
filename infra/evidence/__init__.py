"""Evidence (佐证材料): upload slots, verification of stored objects, downloads."""
