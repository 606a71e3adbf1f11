"""Closing the loop on low scores: alerts staff claim and resolve, the customer's check, the closed-loop figures."""
