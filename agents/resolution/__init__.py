"""The AI resolution agent and the reply drafter it shares with suggested replies."""
