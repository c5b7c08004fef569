"""Conference lifecycle rules, one module per concern (Twilio's, see reference §1, §2, §4.1).

- A conference is ``init`` until at least two participants are connected and one of them has
  startConferenceOnEnter; then ``in-progress``; it ends by the API, when an endConferenceOnExit
  participant leaves or is kicked, or when its last participant leaves.
- Only one active conference per friendly name; a new one after completion gets a new SID.
- The first participant fixes the conference settings; later values are ignored.
- Only active participants are listed or reachable; one that left is a 404.

``lookups`` (finding conferences and participants), ``events`` (status callbacks),
``leaving`` (leave, end, kick), ``joining`` (open, join, start), ``controls`` (mute, hold,
coach, announce, end by the API) and ``leg`` (the ``participant`` leg purpose). Each imports
only the ones before it in that list, and shared engine services below.
"""

