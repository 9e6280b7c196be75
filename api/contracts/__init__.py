"""The deployment manifest for the chain the API is connected to: addresses, start blocks and ABIs."""
