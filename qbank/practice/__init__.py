"""Practice, for learners: timed sprint mock exams, weak-topic drills, the wrong-answer notebook
with spaced review, and the learner's progress and pass forecast."""
