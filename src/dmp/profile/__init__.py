"""The patient's medical profile: allergies, conditions, treatments, measurements…"""
