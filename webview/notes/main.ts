// Concept Notes view (browser side): shows what the host renders and reports clicks back.
interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

interface NoteMessage {
  readonly type: 'note';
  readonly stageId: string;
  readonly title: string;
  readonly model: string;
}

function render(note: NoteMessage): void {
  const root = document.getElementById('note') ?? document.body.appendChild(document.createElement('main'));
  root.id = 'note';
  root.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = note.title;
  const p = document.createElement('p');
  p.textContent = note.model;
  root.append(h, p);
  root.dataset.stage = note.stageId;
}

window.addEventListener('message', (event: MessageEvent<NoteMessage>) => {
  if (event.data?.type === 'note') render(event.data);
});
vscode.postMessage({ type: 'ready' });
