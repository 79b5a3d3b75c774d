"$HMN" watch --interval 100ms --duration 200ms
