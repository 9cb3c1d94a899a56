// ILGPU.Runtime has a Device type of its own; in this project "Device" always means the tensor library's.
global using Device = NetFromScratch.Tensors.Device;
