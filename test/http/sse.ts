/** A Server-Sent Events reader for tests: the frames of a fetch response as `{ event, data }`, until `done` says so or the stream ends. */
export async function readEvents(response: Response, done: (frames: Array<{ event: string; data: any }>) => boolean) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const frames: Array<{ event: string; data: any }> = [];
  let buffer = '';
  while (!done(frames)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) frames.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return frames;
}
