import { Component, type ReactNode } from "react";
import { fr } from "../i18n/fr";

/** If the local database cannot open (disk full, storage blocked), say so instead of a blank window. */
export class StartupError extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main id="main" className="login">
        <h1>{fr.app.title}</h1>
        <p className="error" role="alert">
          {fr.app.databaseError(this.state.error.message)}
        </p>
      </main>
    );
  }
}
