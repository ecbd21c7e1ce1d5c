// The GL side of GeoheatLayer: one texture holding the heat canvas and one quad drawn at the
// ground's corners in the map's framebuffer, with premultiplied alpha.

type GL = WebGLRenderingContext | WebGL2RenderingContext;

const VERTEX = `
attribute vec4 a_clip;
attribute vec2 a_uv;
varying vec2 v_uv;
void main() {
  gl_Position = a_clip;
  v_uv = a_uv;
}`;

const FRAGMENT = `
precision mediump float;
uniform sampler2D u_heat;
varying vec2 v_uv;
void main() {
  gl_FragColor = texture2D(u_heat, v_uv);
}`;

/** Floats per vertex: the clip-space position (x, y, z, w), then the texture coordinate. */
const STRIDE = 6;

function compile(gl: GL, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (!shader) throw new Error("GeoheatLayer: cannot create a WebGL shader (context lost?)");
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    throw new Error(`GeoheatLayer: shader does not compile: ${log}`);
  }
  return shader;
}

/** `matrix` (column-major 4×4) times (x, y, 0, 1), in double precision. */
function transform(matrix: ArrayLike<number>, x: number, y: number): [number, number, number, number] {
  return [0, 1, 2, 3].map((row) => matrix[row] * x + matrix[4 + row] * y + matrix[12 + row]) as [number, number, number, number];
}

/** A textured quad on the ground, drawn with the map's matrix. */
export class GroundQuad {
  readonly #gl: GL;
  readonly #program: WebGLProgram;
  readonly #buffer: WebGLBuffer;
  readonly #texture: WebGLTexture;
  readonly #clip: number;
  readonly #uv: number;
  readonly #sampler: WebGLUniformLocation | null;
  readonly #vertices = new Float32Array(4 * STRIDE);
  /** The largest texture side this context takes. */
  readonly maxTextureSize: number;

  constructor(gl: GL) {
    this.#gl = gl;
    const program = gl.createProgram();
    const buffer = gl.createBuffer();
    const texture = gl.createTexture();
    if (!program || !buffer || !texture) throw new Error("GeoheatLayer: cannot create WebGL objects (context lost?)");
    const vs = compile(gl, gl.VERTEX_SHADER, VERTEX);
    const fs = compile(gl, gl.FRAGMENT_SHADER, FRAGMENT);
    gl.attachShader(program, vs);
    gl.attachShader(program, fs);
    gl.linkProgram(program);
    // Linked programs keep their code: the shader objects can go now.
    gl.deleteShader(vs);
    gl.deleteShader(fs);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`GeoheatLayer: program does not link: ${gl.getProgramInfoLog(program)}`);
    this.#program = program;
    this.#buffer = buffer;
    this.#texture = texture;
    this.#clip = gl.getAttribLocation(program, "a_clip");
    this.#uv = gl.getAttribLocation(program, "a_uv");
    this.#sampler = gl.getUniformLocation(program, "u_heat");
    this.maxTextureSize = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    // Any size (WebGL 1 needs clamping and no mipmaps for sizes that are not powers of two).
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  }

  /** Copies `canvas` into the texture, premultiplied (the blend function MapLibre sets expects it). */
  upload(canvas: HTMLCanvasElement | OffscreenCanvas): void {
    const gl = this.#gl;
    gl.bindTexture(gl.TEXTURE_2D, this.#texture);
    // MapLibre tracks this state itself: put back what was there.
    const premultiply = gl.getParameter(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL) as boolean;
    const flip = gl.getParameter(gl.UNPACK_FLIP_Y_WEBGL) as boolean;
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, canvas);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, premultiply);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, flip);
  }

  /**
   * Draws the texture over world rectangle [west, north]–[east, south] (Web Mercator, 0..1).
   * The corners go through `matrix` here in double precision: in a float32 shader they would be
   * off by pixels at street zooms. Their w stays, so the GPU clips and interpolates in perspective.
   */
  draw(matrix: ArrayLike<number>, [[west, north], [east, south]]: [[number, number], [number, number]]): void {
    const gl = this.#gl;
    const corners: Array<[number, number, number, number]> = [
      [west, north, 0, 0],
      [east, north, 1, 0],
      [west, south, 0, 1],
      [east, south, 1, 1],
    ];
    corners.forEach(([x, y, u, v], i) => {
      this.#vertices.set([...transform(matrix, x, y), u, v], i * STRIDE);
    });
    gl.useProgram(this.#program);
    // The attributes go on the default vertex array, not on one MapLibre left bound.
    if ("bindVertexArray" in gl) gl.bindVertexArray(null);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#buffer);
    gl.bufferData(gl.ARRAY_BUFFER, this.#vertices, gl.DYNAMIC_DRAW);
    gl.enableVertexAttribArray(this.#clip);
    gl.enableVertexAttribArray(this.#uv);
    gl.vertexAttribPointer(this.#clip, 4, gl.FLOAT, false, STRIDE * 4, 0);
    gl.vertexAttribPointer(this.#uv, 2, gl.FLOAT, false, STRIDE * 4, 16);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.#texture);
    gl.uniform1i(this.#sampler, 0);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.disableVertexAttribArray(this.#clip);
    gl.disableVertexAttribArray(this.#uv);
  }

  /** Frees the texture, buffer and program. */
  destroy(): void {
    const gl = this.#gl;
    gl.deleteTexture(this.#texture);
    gl.deleteBuffer(this.#buffer);
    gl.deleteProgram(this.#program);
  }
}
